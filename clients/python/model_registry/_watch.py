"""The Watch stream with automatic resume: reconnects from the last revision seen."""

import threading
import time
from typing import Any, Dict, Iterator, Optional

from ._connect import ConnectTransport, ServerStream
from .errors import Canceled, DeadlineExceeded, Unavailable
from .types import Event, snapshot


class WatchStream:
    """Iterate for events; ``close()`` stops it from any thread. See ModelRegistryClient.watch."""

    def __init__(
        self,
        transport: ConnectTransport,
        request: Dict[str, Any],
        start_revision: Optional[int],
        send_initial: bool,
        reconnect: bool,
        max_reconnects: Optional[int],
        idle_timeout: float,
    ) -> None:
        self._t = transport
        self._request = request
        self._synced = not send_initial
        self._reconnect = reconnect
        self._max_reconnects = max_reconnects
        self._idle_timeout = idle_timeout
        self._closed = threading.Event()
        self._stream: Optional[ServerStream] = None
        self.last_revision: Optional[int] = start_revision
        self._events = self._run()

    def __iter__(self) -> "WatchStream":
        return self

    def __next__(self) -> Event:
        return next(self._events)

    def __enter__(self) -> "WatchStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Ends the stream: a blocked ``next()`` returns (StopIteration) promptly."""
        self._closed.set()
        stream = self._stream
        if stream is not None:
            stream.close()

    def _run(self) -> Iterator[Event]:
        failures = 0
        while not self._closed.is_set():
            req = dict(self._request)
            if self._synced and self.last_revision is not None:
                req["startRevision"] = str(self.last_revision)
            if not self._synced:
                req["sendInitial"] = True
            try:
                self._stream = self._t.server_stream("Watch", req, read_timeout=self._idle_timeout)
                if self._closed.is_set():
                    return
                for msg in self._stream:
                    failures = 0
                    event = self._handle(msg)
                    if event is not None:
                        yield event
            except (Unavailable, DeadlineExceeded, Canceled):
                if self._closed.is_set():
                    return
                if not self._reconnect or (self._max_reconnects is not None and failures >= self._max_reconnects):
                    raise
            finally:
                if self._stream is not None:
                    self._stream.close()
            if not self._reconnect:
                return
            # The stream ended or broke: back off a little (more after repeated failures) and resume.
            self._closed.wait(min(5.0, 0.05 * (2**failures)))
            failures += 1

    def _handle(self, msg: Dict[str, Any]) -> Optional[Event]:
        if "event" in msg:
            event = Event.from_json(msg["event"])
            if self.last_revision is not None and event.revision <= self.last_revision:
                return None  # already delivered before a reconnect
            self.last_revision = event.revision
            return event
        if "initial" in msg:
            resource_type, resource = snapshot(msg["initial"])
            name = getattr(resource, "resource_name", "")
            return Event(type="INITIAL", revision=0, resource_type=resource_type, resource_name=name, resource=resource)
        if "synced" in msg:
            self._synced = True
            self.last_revision = int(msg["synced"].get("revision", "0"))
            return Event(type="SYNCED", revision=self.last_revision)
        if "progress" in msg and self._synced:
            self.last_revision = max(self.last_revision or 0, int(msg["progress"].get("revision", "0")))
        return None
