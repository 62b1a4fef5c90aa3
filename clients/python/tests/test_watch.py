"""watch() yields every change once, in order, and resumes by itself after the connection drops."""

import queue
import threading
import unittest
from urllib.parse import urlsplit

from support import server_url, unique
from tcp_proxy import TcpProxy

from model_registry import ModelRegistryClient, ModelVersion


class Watcher:
    """Runs client.watch(...) in a thread and queues what it yields."""

    def __init__(self, test, client, **kwargs):
        self.events = queue.Queue()
        self.error = None
        self.stream = client.watch(**kwargs)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        test.addCleanup(self.stop)

    def stop(self):
        self.stream.close()
        self._thread.join(5)
        assert not self._thread.is_alive(), "close() did not end the watch"

    def _run(self):
        try:
            for event in self.stream:
                self.events.put(event)
        except Exception as exc:  # reported by next()
            self.error = exc
            self.events.put(None)

    def next(self, timeout=10.0):
        event = self.events.get(timeout=timeout)
        if event is None:
            raise AssertionError(f"watch failed: {self.error!r}")
        return event

    def take(self, n, timeout=10.0):
        return [self.next(timeout) for _ in range(n)]


class WatchTest(unittest.TestCase):
    def setUp(self):
        self.client = ModelRegistryClient(server_url(), author="watcher")
        self.name = unique("watched")
        self.client.register_model(self.name, "s3://b/v0", "v0")

    def tearDown(self):
        self.client.close()

    def test_streams_changes_of_one_model_as_typed_events(self):
        watcher = Watcher(self, self.client, name=self.name, resource_types=["ModelVersion"])
        # The watch starts "from now": wait until it is open before changing anything.
        self._wait_open()
        self.client.register_model(self.name, "s3://b/v1", "v1", metadata={"accuracy": 0.9})
        self.client.archive_model_version(self.name, "v1")
        created, archived = watcher.take(2)
        self.assertEqual((created.type, created.resource_type, created.actor), ("CREATED", "ModelVersion", "watcher"))
        self.assertIsInstance(created.resource, ModelVersion)
        self.assertEqual((created.resource.version, created.resource.metadata), ("v1", {"accuracy": 0.9}))
        self.assertEqual((archived.type, archived.resource.state, archived.previous.state), ("STATE_CHANGED", "ARCHIVED", "LIVE"))
        self.assertLess(created.revision, archived.revision)

    def test_send_initial_lists_then_marks_synced_then_streams(self):
        watcher = Watcher(self, self.client, name=self.name, send_initial=True, resource_types=["ModelVersion"])
        initial, synced = watcher.take(2)
        self.assertEqual((initial.type, initial.resource.version), ("INITIAL", "v0"))
        self.assertEqual(synced.type, "SYNCED")
        self.client.register_model(self.name, "s3://b/v1", "v1")
        change = watcher.next()
        self.assertEqual((change.type, change.resource.version), ("CREATED", "v1"))
        self.assertGreater(change.revision, synced.revision)

    def test_start_revision_replays_what_happened_after_it(self):
        start = max(e.revision for e in self.client.list_events(name=self.name))
        self.client.register_model(self.name, "s3://b/v1", "v1")
        self.client.register_model(self.name, "s3://b/v2", "v2")
        watcher = Watcher(self, self.client, name=self.name, resource_types=["ModelVersion"], start_revision=start)
        self.assertEqual([e.resource.version for e in watcher.take(2)], ["v1", "v2"])

    def test_resumes_after_the_connection_drops_without_losing_or_repeating_events(self):
        url = urlsplit(server_url())
        proxy = TcpProxy(url.hostname, url.port)
        self.addCleanup(proxy.close)
        via_proxy = ModelRegistryClient("127.0.0.1", port=proxy.port, author="watcher")
        self.addCleanup(via_proxy.close)
        watcher = Watcher(self, via_proxy, name=self.name, resource_types=["ModelVersion"], send_initial=True)
        self.assertEqual([e.type for e in watcher.take(2)], ["INITIAL", "SYNCED"])

        self.client.register_model(self.name, "s3://b/v1", "v1")
        self.assertEqual(watcher.next().resource.version, "v1")
        for round_ in range(2):
            proxy.cut()
            # Changes made while the watcher is disconnected.
            self.client.register_model(self.name, f"s3://b/r{round_}a", f"r{round_}a")
            self.client.register_model(self.name, f"s3://b/r{round_}b", f"r{round_}b")
            got = watcher.take(2)
            self.assertEqual([e.resource.version for e in got], [f"r{round_}a", f"r{round_}b"])
        self.assertGreaterEqual(proxy.accepted, 3)
        logged = [e.revision for e in self.client.list_events(name=self.name, resource_types=["ModelVersion"], types=["CREATED"])]
        self.assertTrue(watcher.events.empty())
        self.assertEqual(len(logged), 6)

    def test_close_ends_a_blocked_watch_from_another_thread(self):
        watcher = Watcher(self, self.client, name=self.name)
        self._wait_open()
        watcher.stop()
        self.assertIsNone(watcher.error)
        self.assertIsNotNone(watcher.stream.last_revision)

    def test_list_events_is_the_audit_log_of_the_model(self):
        self.client.register_model(self.name, "s3://b/v1", "v1")
        events = list(self.client.list_events(name=self.name, resource_types=["ModelVersion"], page_size=1))
        self.assertEqual([(e.type, e.resource.version, e.actor) for e in events], [("CREATED", "v0", "watcher"), ("CREATED", "v1", "watcher")])
        newest = next(self.client.list_events(name=self.name, newest_first=True))
        self.assertEqual(newest.revision, max(e.revision for e in self.client.list_events(name=self.name)))

    def _wait_open(self):
        # A watch "from now" is open once the server has answered its first progress message;
        # a short pause is enough against a local server.
        import time

        time.sleep(0.3)


if __name__ == "__main__":
    unittest.main()
