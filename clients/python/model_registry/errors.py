"""Exceptions carrying the Connect/gRPC status code of a failed call.

Every failure is a ``ModelRegistryError``; the subclass names the code (``NotFound``,
``AlreadyExists``, ...) so callers can ``except NotFound:``. ``reason`` is the server's
``google.rpc.ErrorInfo`` reason (``VERSION_EXISTS``, ``ETAG_MISMATCH``, ...), the stable thing
to branch on; ``message`` is for humans and may change.
"""

import base64
from typing import Dict, List, Optional


class ModelRegistryError(Exception):
    """A call failed. ``code`` is the Connect code string, such as ``"not_found"``."""

    code = "unknown"

    def __init__(
        self,
        message: str,
        reason: str = "",
        metadata: Optional[Dict[str, str]] = None,
        field_violations: Optional[List[Dict[str, str]]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.metadata = metadata or {}
        self.field_violations = field_violations or []

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


class Canceled(ModelRegistryError):
    code = "canceled"


class Unknown(ModelRegistryError):
    code = "unknown"


class InvalidArgument(ModelRegistryError):
    code = "invalid_argument"


class DeadlineExceeded(ModelRegistryError):
    code = "deadline_exceeded"


class NotFound(ModelRegistryError):
    code = "not_found"


class AlreadyExists(ModelRegistryError):
    code = "already_exists"


class PermissionDenied(ModelRegistryError):
    code = "permission_denied"


class ResourceExhausted(ModelRegistryError):
    code = "resource_exhausted"


class FailedPrecondition(ModelRegistryError):
    code = "failed_precondition"


class Aborted(ModelRegistryError):
    code = "aborted"


class OutOfRange(ModelRegistryError):
    code = "out_of_range"


class Unimplemented(ModelRegistryError):
    code = "unimplemented"


class Internal(ModelRegistryError):
    code = "internal"


class Unavailable(ModelRegistryError):
    """The server or the database is unreachable; safe to retry idempotent calls."""

    code = "unavailable"


class DataLoss(ModelRegistryError):
    code = "data_loss"


class Unauthenticated(ModelRegistryError):
    code = "unauthenticated"


_BY_CODE = {
    cls.code: cls
    for cls in (
        Canceled,
        Unknown,
        InvalidArgument,
        DeadlineExceeded,
        NotFound,
        AlreadyExists,
        PermissionDenied,
        ResourceExhausted,
        FailedPrecondition,
        Aborted,
        OutOfRange,
        Unimplemented,
        Internal,
        Unavailable,
        DataLoss,
        Unauthenticated,
    )
}

# The Connect protocol's mapping for responses that carry no Connect error body (a proxy's page).
_HTTP_STATUS_CODES = {
    400: "internal",
    401: "unauthenticated",
    403: "permission_denied",
    404: "unimplemented",
    429: "unavailable",
    502: "unavailable",
    503: "unavailable",
    504: "unavailable",
}


def error_from_http_status(status: int, text: str) -> ModelRegistryError:
    """An error for a non-200 response whose body is not a Connect error."""
    code = _HTTP_STATUS_CODES.get(status, "unknown")
    return _BY_CODE[code](f"HTTP {status}: {text.strip()[:200]}")


def error_from_json(body: dict) -> ModelRegistryError:
    """An error from the Connect error JSON ``{code, message, details}``."""
    code = body.get("code") if isinstance(body.get("code"), str) else "unknown"
    cls = _BY_CODE.get(code, Unknown)
    reason = ""
    metadata: Dict[str, str] = {}
    violations: List[Dict[str, str]] = []
    for detail in body.get("details") or []:
        kind = detail.get("type", "")
        try:
            raw = _b64decode(detail.get("value", ""))
        except ValueError:
            continue
        if kind == "google.rpc.ErrorInfo":
            reason, metadata = _decode_error_info(raw)
        elif kind == "google.rpc.BadRequest":
            violations = _decode_bad_request(raw)
    return cls(body.get("message", "") or "", reason=reason, metadata=metadata, field_violations=violations)


def _b64decode(value: str) -> bytes:
    # Connect sends unpadded standard base64.
    return base64.b64decode(value + "=" * (-len(value) % 4), validate=False)


def _fields(data: bytes):
    """Yields (field number, value) of a protobuf message; length-delimited values as bytes."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            length, i = _varint(data, i)
            value, i = data[i : i + length], i + length
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        else:
            raise ValueError("unsupported wire type")
        yield number, value


def _varint(data: bytes, i: int):
    result, shift = 0, 0
    while True:
        if i >= len(data):
            raise ValueError("truncated varint")
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def _decode_error_info(raw: bytes):
    """google.rpc.ErrorInfo: reason = 1, domain = 2, metadata = 3 (map<string, string>)."""
    reason, metadata = "", {}
    try:
        for number, value in _fields(raw):
            if number == 1:
                reason = value.decode()
            elif number == 3:
                entry = dict(_fields(value))
                metadata[entry.get(1, b"").decode()] = entry.get(2, b"").decode()
    except (ValueError, UnicodeDecodeError, AttributeError):
        pass
    return reason, metadata


def _decode_bad_request(raw: bytes) -> List[Dict[str, str]]:
    """google.rpc.BadRequest: field_violations = 1 {field = 1, description = 2}."""
    out = []
    try:
        for number, value in _fields(raw):
            if number == 1:
                v = dict(_fields(value))
                out.append({"field": v.get(1, b"").decode(), "description": v.get(2, b"").decode()})
    except (ValueError, UnicodeDecodeError, AttributeError):
        pass
    return out
