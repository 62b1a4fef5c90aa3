"""Webhooks through the SDK, against a server started with a webhook key file."""

import atexit
import base64
import os
import secrets
import tempfile
import unittest

from support import ServerProcess, unique

from model_registry import FailedPrecondition, InvalidArgument, ModelRegistryClient, NotFound, Webhook

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


if __name__ == "__main__":
    unittest.main()
