"""A real server for the SDK tests.

``MODEL_REGISTRY_TEST_URL`` points at a running server (test/clients/python.test.ts starts one per
database dialect and sets it). Without it, the first test starts ``model-registry serve`` on an
in-memory SQLite database from the repository root, so ``python3 -m unittest discover -s
clients/python/tests`` also works on its own. Tests of authentication and TLS start their own
servers (``ServerProcess``) with a tokens file (``new_token``) and certificates (``make_certificates``).
"""

import atexit
import hashlib
import os
import re
import secrets
import subprocess
import sys
import threading
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PACKAGE_ROOT))
sys.path.insert(0, PACKAGE_ROOT)  # model_registry without installing it

_lock = threading.Lock()
_url = os.environ.get("MODEL_REGISTRY_TEST_URL", "")


def server_url() -> str:
    """The URL of the server under test, started on first use when none was given."""
    global _url
    with _lock:
        if not _url:
            _url = _start_server()
        return _url


def unique(prefix: str) -> str:
    """A model name no other test uses: tests share one server."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class ServerProcess:
    """``model-registry serve --port 0`` on an in-memory SQLite database with extra flags, as a child
    process. ``ready()`` waits until it listens and returns its URL; ``close()`` stops it."""

    def __init__(self, *args: str) -> None:
        self.url = ""
        self._proc = subprocess.Popen(
            _NODE + ["serve", "--port", "0", "--database", ":memory:", "--log-level", "warn", *args],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._drain = threading.Thread(target=lambda: [None for _ in self._proc.stdout], daemon=True)

    def ready(self) -> str:
        output = []
        for line in self._proc.stdout:
            output.append(line)
            m = re.search(r"listening on (https?://\S+)", line)
            if m:
                self._drain.start()  # keep reading, so the server never blocks on a full pipe
                self.url = m.group(1)
                return self.url
        self.close()
        raise RuntimeError("server did not start:\n" + "".join(output))

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._drain.is_alive():
            self._drain.join()
        self._proc.stdout.close()


def new_token(subject: str, roles: str):
    """A new secret and its tokens-file line, as ``model-registry token new SUBJECT ROLES`` makes them
    (README "Static tokens"): only the sha256 of the secret is in the file."""
    secret = "mr_" + secrets.token_urlsafe(32)
    return secret, f"{subject} sha256:{hashlib.sha256(secret.encode()).hexdigest()} {roles}"


def make_certificates(directory: str):
    """A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, made by openssl
    as test/security/support.ts does. Returns the paths of the CA certificate, the server certificate
    and the server key."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=sdk-test-ca")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "2", "-extfile", "server.ext")
    return tuple(os.path.join(directory, name) for name in ("ca.crt", "server.crt", "server.key"))


_NODE = ["node", "--import", "tsx", "src/main.ts"]


def _start_server() -> str:
    server = ServerProcess()
    atexit.register(server.close)
    return server.ready()
