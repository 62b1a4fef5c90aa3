"""A real server for the SDK tests.

``MODEL_REGISTRY_TEST_URL`` points at a running server (test/clients/python.test.ts starts one per
database dialect and sets it). Without it, the first test starts ``model-registry serve`` on an
in-memory SQLite database from the repository root, so ``python3 -m unittest discover -s
clients/python/tests`` also works on its own.
"""

import atexit
import os
import re
import subprocess
import sys
import threading
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PACKAGE_ROOT))
sys.path.insert(0, PACKAGE_ROOT)  # model_registry_client without installing it

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


def _start_server() -> str:
    proc = subprocess.Popen(
        ["node", "--import", "tsx", "src/main.ts", "serve", "--port", "0", "--database", ":memory:", "--log-level", "warn"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    atexit.register(proc.terminate)
    output = []
    for line in proc.stdout:
        output.append(line)
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return m.group(1)
    raise RuntimeError("server did not start:\n" + "".join(output))
