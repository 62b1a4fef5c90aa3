"""Authentication and TLS: ``token=`` (and Kubeflow's ``user_token=``) against a server that reads a
tokens file, and ``is_secure=``/``custom_ca=`` against one that serves TLS (README "Security")."""

import os
import shutil
import ssl
import tempfile
import unittest
from urllib.parse import urlsplit

from support import ServerProcess, make_certificates, new_token, unique

from model_registry import ModelRegistryClient, Unauthenticated, Unavailable

OPENSSL = shutil.which("openssl") is not None
_tmp = None
_plain = None
_tls = None
_secret = ""
_fraud_secret = ""
_ca = ""


def setUpModule():
    global _tmp, _plain, _tls, _secret, _fraud_secret, _ca
    _tmp = tempfile.TemporaryDirectory()
    _secret, line = new_token("sdk-tester", "editor")
    _fraud_secret, fraud_line = new_token("fraud-team", "editor:fraud-*,viewer")
    tokens = os.path.join(_tmp.name, "tokens")
    with open(tokens, "w") as f:
        f.write(line + "\n" + fraud_line + "\n")
    # Both servers start at once: node's start-up is most of the time these tests take.
    _plain = ServerProcess("--tokens-file", tokens)
    if OPENSSL:
        _ca, cert, key = make_certificates(_tmp.name)
        _tls = ServerProcess("--tokens-file", tokens, "--tls-cert", cert, "--tls-key", key)
    for server in (_plain, _tls):
        if server is not None:
            server.ready()


def tearDownModule():
    for server in (_plain, _tls):
        if server is not None:
            server.close()
    _tmp.cleanup()


class TokenTest(unittest.TestCase):
    """A server with a tokens file, over plain HTTP on loopback."""

    def client(self, **kwargs) -> ModelRegistryClient:
        client = ModelRegistryClient(_plain.url, **kwargs)
        self.addCleanup(client.close)
        return client

    def test_a_call_with_the_right_token_succeeds(self):
        name = unique("auth")
        self.client(token=_secret).register_model(name, "s3://b/m", "v1")
        self.assertEqual(self.client(token=_secret).get_model_version(name, "v1").uri, "s3://b/m")

    def test_the_token_subject_is_the_actor_of_the_changes(self):
        client = self.client(token=_secret, author="ignored-when-authenticated")
        name = unique("actor")
        client.register_model(name, "s3://b/m", "v1")
        self.assertEqual({e.actor for e in client.list_events(name)}, {"sdk-tester"})

    def test_user_token_is_sent_as_the_token(self):
        name = unique("kubeflow")
        self.client(user_token=_secret).register_model(name, "s3://b/m", "v1")
        self.assertEqual(self.client(token=_secret).get_registered_model(name).name, name)

    def test_get_caller_names_the_subject_and_its_roles(self):
        caller = self.client(token=_secret).get_caller()
        self.assertEqual((caller.subject, caller.authentication_method, caller.authentication_required), ("sdk-tester", "TOKEN", True))
        self.assertEqual([(g.role, g.model_globs) for g in caller.grants], [("editor", [])])
        self.assertEqual(caller.protected_aliases, ["production"])
        self.assertTrue(caller.may("models.write", "anything"))
        self.assertFalse(caller.may("aliases.set_protected"))

    def test_get_caller_shows_per_model_grants(self):
        caller = self.client(token=_fraud_secret).get_caller()
        self.assertEqual([(g.role, g.model_globs) for g in caller.grants], [("editor", ["fraud-*"]), ("viewer", [])])
        self.assertEqual(caller.global_permissions, ["models.read"])
        self.assertTrue(caller.may("models.write", "fraud-detector"))
        self.assertFalse(caller.may("models.write", "churn"))
        self.assertFalse(caller.may("models.write"))
        self.assertTrue(caller.may("models.read", "churn"))

    def test_a_call_without_a_token_raises_unauthenticated(self):
        with self.assertRaises(Unauthenticated) as cm:
            self.client().get_registered_model(unique("anyone"))
        self.assertEqual(cm.exception.reason, "CREDENTIALS_REQUIRED")

    def test_a_call_with_a_wrong_token_raises_unauthenticated(self):
        with self.assertRaises(Unauthenticated) as cm:
            self.client(token=_secret + "x").register_model(unique("forged"), "s3://b/m", "v1")
        self.assertEqual(cm.exception.reason, "INVALID_TOKEN")

    def test_a_watch_with_a_wrong_token_raises_unauthenticated(self):
        with self.assertRaises(Unauthenticated):
            with self.client(token="mr_wrong").watch(start_revision=0) as stream:
                next(iter(stream))


@unittest.skipUnless(OPENSSL, "openssl is needed to make the test certificates")
class TlsTest(unittest.TestCase):
    """A server serving TLS only, with a certificate from a throwaway CA, and the same tokens file."""

    def client(self, **kwargs) -> ModelRegistryClient:
        port = urlsplit(_tls.url).port
        client = ModelRegistryClient("127.0.0.1", port, is_secure=True, **kwargs)
        self.addCleanup(client.close)
        return client

    def test_is_secure_with_the_ca_calls_over_https(self):
        client = self.client(custom_ca=_ca, token=_secret)
        self.assertTrue(client.server_url.startswith("https://127.0.0.1:"))
        name = unique("tls")
        client.register_model(name, "s3://b/m", "v1")
        self.assertEqual(client.get_registered_model(name).name, name)

    def test_is_secure_without_the_ca_refuses_the_server_certificate(self):
        with self.assertRaises(Unavailable) as cm:
            self.client(token=_secret).get_registered_model(unique("untrusted"))
        self.assertIsInstance(cm.exception.__cause__, ssl.SSLCertVerificationError)

    def test_a_call_over_tls_without_a_token_raises_unauthenticated(self):
        with self.assertRaises(Unauthenticated):
            self.client(custom_ca=_ca).get_registered_model(unique("anyone"))


if __name__ == "__main__":
    unittest.main()
