"""Webhooks through the SDK, against a server started with a webhook key file."""

import atexit
import base64
import http.server
import json
import os
import secrets
import tempfile
import threading
import time
import unittest

from support import ServerProcess, unique

from model_registry import FailedPrecondition, InvalidArgument, ModelRegistryClient, NotFound, Webhook, verify_webhook

_dir = tempfile.TemporaryDirectory()
atexit.register(_dir.cleanup)
_key = os.path.join(_dir.name, "webhook.key")
with open(_key, "w") as f:
    f.write(base64.b64encode(secrets.token_bytes(32)).decode())
_server = None


def setUpModule():
    global _server
    _server = ServerProcess("--webhook-key-file", _key)
    _server.ready()


def tearDownModule():
    _server.close()


class WebhooksTest(unittest.TestCase):
    def setUp(self):
        self.client = ModelRegistryClient(_server.url, author="sdk@acme.com")
        self.addCleanup(self.client.close)

    def test_create_shows_the_secret_once_then_rotate_disable_delete(self):
        name = unique("ci")
        hook = self.client.webhooks.create(name, "https://ci.example.com/hooks", event_types=["created"], resource_types=["ModelVersion"])
        self.assertIsInstance(hook, Webhook)
        self.assertTrue(hook.secret.startswith("whsec_"))
        self.assertEqual((hook.enabled, hook.failure_policy, hook.owner, hook.event_types), (True, "PAUSE", "sdk@acme.com", ["CREATED"]))
        got = self.client.webhooks.get(name)
        self.assertIsNone(got.secret)
        self.assertEqual(got.name, hook.name)
        self.assertIn(hook.name, [w.name for w in self.client.webhooks.list()])
        self.assertFalse(self.client.webhooks.set_enabled(hook.name, False).enabled)
        rotated = self.client.webhooks.rotate_secret(name, grace_period_seconds=60)
        self.assertNotEqual(rotated.secret, hook.secret)
        self.client.webhooks.delete(name)
        with self.assertRaises(NotFound):
            self.client.webhooks.get(name)

    def test_a_refused_destination_is_invalid_argument(self):
        with self.assertRaises(InvalidArgument) as caught:
            self.client.webhooks.create(unique("bad"), "https://10.0.0.1/hooks")
        self.assertIn("webhook.url", str(caught.exception))

    def test_without_a_key_file_creating_is_failed_precondition(self):
        plain = ServerProcess()
        try:
            with ModelRegistryClient(plain.ready()) as client:
                with self.assertRaises(FailedPrecondition) as caught:
                    client.webhooks.create("x", "https://ci.example.com/hooks")
                self.assertEqual(caught.exception.reason, "WEBHOOK_KEY_NOT_CONFIGURED")
        finally:
            plain.close()


class _Receiver(http.server.BaseHTTPRequestHandler):
    """Records every POST (headers and raw body) and answers 204."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        _Receiver.received.append((self.path, dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class DeliveryTest(unittest.TestCase):
    """A server that delivers, to a receiver in this process that checks signatures with verify_webhook."""

    @classmethod
    def setUpClass(cls):
        cls.receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        threading.Thread(target=cls.receiver.serve_forever, daemon=True).start()
        cls.base = "http://127.0.0.1:%d" % cls.receiver.server_address[1]
        # Delivery is on by default.
        flags = ["--webhook-key-file", _key, "--webhook-allow-http", "on", "--webhook-allowed-networks", "127.0.0.1/32"]
        cls.server = ServerProcess(*flags)
        cls.server.ready()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.receiver.shutdown()
        cls.receiver.server_close()

    def setUp(self):
        self.client = ModelRegistryClient(self.server.url, author="sdk@acme.com")
        self.addCleanup(self.client.close)

    def _at(self, path, n):
        deadline = time.time() + 20
        while time.time() < deadline:
            got = [r for r in _Receiver.received if r[0] == path]
            if len(got) >= n:
                return got
            time.sleep(0.05)
        self.fail("timed out waiting for %d deliveries to %s" % (n, path))

    def test_deliveries_verify_and_can_be_pinged_listed_and_redelivered(self):
        hook = self.client.webhooks.create(unique("sdk"), self.base + "/sdk", event_types=["created"], resource_types=["RegisteredModel"])
        model = self.client.register_model(unique("delivered"), "s3://bucket/model", "v1")
        _, headers, body = self._at("/sdk", 1)[0]
        event = json.loads(body)
        self.assertEqual((event["type"], event["subject"]), ("io.modelregistry.event.created", model.resource_name))
        self.assertTrue(verify_webhook(hook.secret, headers, body))
        self.assertFalse(verify_webhook(hook.secret, headers, body + b" "))
        self.assertFalse(verify_webhook("whsec_" + base64.b64encode(b"x" * 32).decode(), headers, body))
        stale = dict(headers, **{"webhook-timestamp": str(int(time.time()) - 3600)})
        self.assertFalse(verify_webhook(hook.secret, stale, body))

        ping = self.client.webhooks.test(hook.name)
        self.assertEqual((ping.kind, ping.outcome, ping.status_code, ping.revision), ("PING", "ACKNOWLEDGED", 204, 0))
        _, ping_headers, ping_body = self._at("/sdk", 2)[1]
        self.assertTrue(verify_webhook(hook.secret, ping_headers, ping_body.decode()))

        again = self.client.webhooks.redeliver(hook.display_name, revision=int(event["revision"]))
        self.assertEqual((again.kind, again.outcome), ("REDELIVERY", "ACKNOWLEDGED"))
        _, again_headers, _ = self._at("/sdk", 3)[2]
        self.assertEqual(again_headers["webhook-id"], headers["webhook-id"])
        self.assertIsNone(self.client.webhooks.redeliver(hook.name, from_revision=int(event["revision"])))
        self._at("/sdk", 4)

        kinds = [d.kind for d in self.client.webhooks.list_deliveries(hook.name)]
        self.assertEqual(kinds, ["EVENT", "PING", "REDELIVERY", "EVENT"])
        failed = list(self.client.webhooks.list_deliveries(hook.name, filter='outcome = "FAILED"'))
        self.assertEqual(failed, [])
        with self.assertRaises(ValueError):
            self.client.webhooks.redeliver(hook.name)


if __name__ == "__main__":
    unittest.main()
