"""The Connect protocol over HTTP/1.1 with the standard library: unary JSON calls and
server streams (enveloped JSON). See https://connectrpc.com/docs/protocol.

One keep-alive connection per thread for unary calls; each stream gets its own connection.
"""

import http.client
import json
import socket
import ssl
import struct
import threading
import time
from typing import Any, Dict, Iterator, Optional
from urllib.parse import urlsplit

from .errors import Canceled, Unavailable, error_from_http_status, error_from_json

SERVICE = "modelregistry.v1.ModelRegistryService"

# Node's HTTP server closes idle keep-alive connections after 5 s: reconnect well before that.
_IDLE_REUSE_SECONDS = 3.0
_END_STREAM = 0x02
_CONNECTION_ERRORS = (ConnectionError, socket.timeout, http.client.HTTPException, OSError)


class ConnectTransport:
    """Sends Connect requests to one server."""

    def __init__(
        self,
        base_url: str,
        headers: Dict[str, str],
        timeout: float = 30.0,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"server address must be http(s)://host[:port], got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._secure = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._secure else 80)
        self._prefix = parts.path.rstrip("/")
        self._headers = dict(headers)
        self._timeout = timeout
        self._ssl = ssl_context if ssl_context is not None else (ssl.create_default_context() if self._secure else None)
        self._local = threading.local()

    def _connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._secure:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._ssl)
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _pooled(self):
        """This thread's keep-alive connection, or a new one; and whether it was reused."""
        conn = getattr(self._local, "conn", None)
        last = getattr(self._local, "last_used", 0.0)
        if conn is not None and time.monotonic() - last < _IDLE_REUSE_SECONDS:
            return conn, True
        if conn is not None:
            conn.close()
        conn = self._connect(self._timeout)
        self._local.conn = conn
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def close(self) -> None:
        """Closes this thread's pooled connection."""
        self._drop()

    def unary(self, method: str, request: Dict[str, Any], idempotent: bool = False, service: str = SERVICE) -> Dict[str, Any]:
        """POSTs the request JSON and returns the response JSON; raises ModelRegistryError."""
        body = json.dumps(request, allow_nan=False).encode()
        headers = {
            **self._headers,
            "content-type": "application/json",
            "connect-protocol-version": "1",
            "connect-timeout-ms": str(int(self._timeout * 1000)),
        }
        path = f"{self._prefix}/{service}/{method}"
        for attempt in (1, 2):
            conn, reused = self._pooled()
            sent = False
            try:
                conn.request("POST", path, body=body, headers=headers)
                sent = True
                res = conn.getresponse()
                data = res.read()
            except _CONNECTION_ERRORS as exc:
                self._drop()
                # A kept-alive connection the server closed meanwhile: resend once when nothing can
                # have been processed (the send failed) or the call is idempotent.
                if attempt == 1 and reused and (idempotent or not sent):
                    continue
                raise Unavailable(f"{method}: cannot reach {self.base_url}: {exc}") from exc
            self._local.last_used = time.monotonic()
            if res.getheader("connection", "").lower() == "close":
                self._drop()
            if res.status == 200:
                return json.loads(data) if data else {}
            raise _error(res.status, res.getheader("content-type", ""), data)
        raise AssertionError("unreachable")

    def server_stream(self, method: str, request: Dict[str, Any], read_timeout: Optional[float]) -> "ServerStream":
        """Opens a server stream; iterate the returned object for response messages."""
        payload = json.dumps(request, allow_nan=False).encode()
        headers = {
            **self._headers,
            "content-type": "application/connect+json",
            "connect-protocol-version": "1",
        }
        conn = self._connect(read_timeout)
        try:
            conn.request("POST", f"{self._prefix}/{SERVICE}/{method}", body=_envelope(0, payload), headers=headers)
            res = conn.getresponse()
        except _CONNECTION_ERRORS as exc:
            conn.close()
            raise Unavailable(f"{method}: cannot reach {self.base_url}: {exc}") from exc
        if res.status != 200:
            data = res.read()
            conn.close()
            raise _error(res.status, res.getheader("content-type", ""), data)
        return ServerStream(method, conn, res)


class ServerStream:
    """The response messages of a server stream; ``close()`` cancels it."""

    def __init__(self, method: str, conn: http.client.HTTPConnection, res: http.client.HTTPResponse) -> None:
        self._method = method
        self._conn = conn
        self._res = res
        self._closed = False

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        try:
            while True:
                header = self._read(5)
                if header is None:
                    raise Unavailable(f"{self._method}: the stream ended without an end-of-stream message")
                flags, length = struct.unpack(">BI", header)
                data = self._read(length) if length else b""
                if data is None:
                    raise Unavailable(f"{self._method}: the stream was cut mid-message")
                message = json.loads(data) if data else {}
                if flags & _END_STREAM:
                    if message.get("error"):
                        raise error_from_json(message["error"])
                    return
                yield message
        finally:
            self.close()

    def _read(self, n: int) -> Optional[bytes]:
        chunks, remaining = [], n
        try:
            while remaining > 0:
                chunk = self._res.read(remaining)
                if not chunk:
                    if self._closed:
                        raise Canceled(f"{self._method}: stream closed")
                    return None
                chunks.append(chunk)
                remaining -= len(chunk)
        except (*_CONNECTION_ERRORS, ValueError, AttributeError) as exc:
            # ValueError/AttributeError: the response was closed from another thread (close()).
            if self._closed:
                raise Canceled(f"{self._method}: stream closed") from exc
            raise Unavailable(f"{self._method}: stream interrupted: {exc}") from exc
        if self._closed:
            raise Canceled(f"{self._method}: stream closed")
        return b"".join(chunks)

    def close(self) -> None:
        """Closes the connection; safe to call from another thread to cancel the stream."""
        self._closed = True
        try:
            sock = self._conn.sock
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._conn.close()
        except OSError:
            pass


def _envelope(flags: int, payload: bytes) -> bytes:
    return struct.pack(">BI", flags, len(payload)) + payload


def _error(status: int, content_type: str, data: bytes):
    if "json" in content_type:
        try:
            body = json.loads(data)
            if isinstance(body, dict) and "code" in body:
                return error_from_json(body)
        except ValueError:
            pass
    return error_from_http_status(status, data.decode("utf-8", "replace"))
