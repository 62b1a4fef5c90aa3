"""Python values <-> typed custom properties (``map<string, MetadataValue>`` in proto3 JSON).

float -> double, int -> int64 (exact, sent as a JSON string), bool -> bool, str -> string,
dict -> struct, list/tuple -> struct ``{"$list": [...]}`` (a Struct must be an object; the
wrapper is unwrapped on read, so lists round-trip). ``bool`` is checked before ``int`` because
``True`` is an ``int`` in Python.
"""

import math
from typing import Any, Dict, Mapping, Optional

LIST_KEY = "$list"
_INT64 = (-(2**63), 2**63 - 1)


def to_value(key: str, value: Any) -> Dict[str, Any]:
    """One Python value as a proto3 JSON MetadataValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValueError(f"metadata[{key!r}]: {value} does not fit in int64")
        return {"intValue": str(value)}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"metadata[{key!r}]: doubles must be finite, got {value}")
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, Mapping):
        return {"structValue": _json(key, dict(value))}
    if isinstance(value, (list, tuple)):
        return {"structValue": {LIST_KEY: _json(key, list(value))}}
    raise TypeError(
        f"metadata[{key!r}]: unsupported type {type(value).__name__} (use float, int, bool, str, dict or list)"
    )


def to_properties(metadata: Optional[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """A metadata dict as custom_properties."""
    if not metadata:
        return {}
    return {str(k): to_value(str(k), v) for k, v in metadata.items()}


def from_value(value: Mapping[str, Any]) -> Any:
    """A proto3 JSON MetadataValue as a Python value."""
    if "doubleValue" in value:
        v = value["doubleValue"]
        return float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))
    if "intValue" in value:
        return int(value["intValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "stringValue" in value:
        return value["stringValue"]
    if "structValue" in value:
        struct = value["structValue"]
        if isinstance(struct, dict) and len(struct) == 1 and isinstance(struct.get(LIST_KEY), list):
            return struct[LIST_KEY]
        return struct
    return None


def from_properties(properties: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """custom_properties as a plain dict of Python values."""
    return {k: from_value(v) for k, v in (properties or {}).items()}


def _json(key: str, value: Any) -> Any:
    """Checks that a struct holds only JSON: no NaN, no infinities, no other types."""
    if isinstance(value, dict):
        return {str(k): _json(key, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(key, v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"metadata[{key!r}]: doubles must be finite, got {value}")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"metadata[{key!r}]: {type(value).__name__} cannot be stored in a struct")
