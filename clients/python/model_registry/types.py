"""The SDK's results: small dataclasses with Python values (str states, dict metadata, datetimes).

Built from the proto3 JSON the server sends; ``from_json`` ignores fields it does not know, so an
older SDK keeps working against a newer server.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from .metadata import from_properties, from_value


def _time(value: Optional[str]) -> Optional[datetime]:
    """An RFC 3339 timestamp (any fraction length, 'Z') as an aware datetime."""
    if not value:
        return None
    # Python < 3.11 parses only 3 or 6 fraction digits and no "Z".
    m = re.match(r"^([^.]+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", value)
    if not m:
        raise ValueError(f"bad timestamp {value!r}")
    head, fraction, zone = m.groups()
    text = head + (f".{fraction[:6].ljust(6, '0')}" if fraction else "") + ("+00:00" if zone in (None, "Z") else zone)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _state(value: Optional[str], prefix: str, default: str) -> str:
    if not value or value.endswith("UNSPECIFIED"):
        return default
    return value[len(prefix) :] if value.startswith(prefix) else value


@dataclass
class RegisteredModel:
    """A registered model. ``name`` is its display name (as in Kubeflow's SDK)."""

    name: str
    id: str = ""
    resource_name: str = ""
    description: str = ""
    owner: str = ""
    state: str = "LIVE"
    labels: Dict[str, str] = field(default_factory=dict)
    metadata: Dict[str, Any] = field(default_factory=dict)
    readme: str = ""
    create_time: Optional[datetime] = None
    update_time: Optional[datetime] = None
    etag: str = ""
    #: The newest LIVE version, from ``list_registered_models(full=True)`` only (no artifacts).
    latest_version: Optional["ModelVersion"] = None
    #: ``{alias: version string}``, from ``list_registered_models(full=True)`` only.
    aliases: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, m: Dict[str, Any]) -> "RegisteredModel":
        latest = m.get("latestVersion")
        return cls(
            name=m.get("displayName", ""),
            id=m.get("id", ""),
            resource_name=m.get("name", ""),
            description=m.get("description", ""),
            owner=m.get("owner", ""),
            state=_state(m.get("state"), "STATE_", "LIVE"),
            labels=dict(m.get("labels") or {}),
            metadata=from_properties(m.get("customProperties")),
            readme=m.get("readme", ""),
            create_time=_time(m.get("createTime")),
            update_time=_time(m.get("updateTime")),
            etag=m.get("etag", ""),
            latest_version=ModelVersion.from_json(latest) if latest else None,
            aliases={a["alias"]: a.get("version", "") for a in m.get("aliases") or []},
        )


@dataclass
class ModelArtifact:
    """A stored model file of a version: where it lives and in which format."""

    uri: str
    model_format_name: str = ""
    model_format_version: str = ""
    storage_key: str = ""
    storage_path: str = ""
    service_account_name: str = ""
    state: str = "UNKNOWN"
    digest: str = ""
    display_name: str = ""
    description: str = ""
    metadata: Dict[str, Any] = field(default_factory=dict)
    id: str = ""
    resource_name: str = ""
    model_version: str = ""
    create_time: Optional[datetime] = None
    update_time: Optional[datetime] = None
    etag: str = ""

    @classmethod
    def from_json(cls, a: Dict[str, Any]) -> "ModelArtifact":
        return cls(
            uri=a.get("uri", ""),
            model_format_name=a.get("modelFormatName", ""),
            model_format_version=a.get("modelFormatVersion", ""),
            storage_key=a.get("storageKey", ""),
            storage_path=a.get("storagePath", ""),
            service_account_name=a.get("serviceAccountName", ""),
            state=_state(a.get("state"), "ARTIFACT_STATE_", "UNKNOWN"),
            digest=a.get("digest", ""),
            display_name=a.get("displayName", ""),
            description=a.get("description", ""),
            metadata=from_properties(a.get("customProperties")),
            id=a.get("id", ""),
            resource_name=a.get("name", ""),
            model_version=a.get("modelVersion", ""),
            create_time=_time(a.get("createTime")),
            update_time=_time(a.get("updateTime")),
            etag=a.get("etag", ""),
        )


@dataclass
class ModelVersion:
    """A version of a registered model, with the URI and format of its (first) artifact."""

    version: str
    model_name: str = ""
    state: str = "LIVE"
    uri: str = ""
    description: str = ""
    author: str = ""
    metadata: Dict[str, Any] = field(default_factory=dict)
    aliases: List[str] = field(default_factory=list)
    model_format_name: str = ""
    model_format_version: str = ""
    artifacts: List[ModelArtifact] = field(default_factory=list, repr=False)
    id: str = ""
    resource_name: str = ""
    registered_model: str = ""
    create_time: Optional[datetime] = None
    update_time: Optional[datetime] = None
    etag: str = ""

    @property
    def name(self) -> str:
        """The version string: Kubeflow's SDK calls it ``name``."""
        return self.version

    @classmethod
    def from_json(cls, v: Dict[str, Any], artifacts: Optional[List[ModelArtifact]] = None) -> "ModelVersion":
        arts = list(artifacts or [])
        first = arts[0] if arts else None
        return cls(
            version=v.get("version", ""),
            model_name=v.get("registeredModelDisplayName", ""),
            state=_state(v.get("state"), "STATE_", "LIVE"),
            uri=first.uri if first else "",
            description=v.get("description", ""),
            author=v.get("author", ""),
            metadata=from_properties(v.get("customProperties")),
            aliases=list(v.get("aliases") or []),
            model_format_name=first.model_format_name if first else "",
            model_format_version=first.model_format_version if first else "",
            artifacts=arts,
            id=v.get("id", ""),
            resource_name=v.get("name", ""),
            registered_model=v.get("registeredModel", ""),
            create_time=_time(v.get("createTime")),
            update_time=_time(v.get("updateTime")),
            etag=v.get("etag", ""),
        )


@dataclass
class ComparisonRow:
    """One metadata key across the compared versions; ``best`` holds column indexes."""

    key: str
    values: List[Any]
    direction: str = ""
    best: List[int] = field(default_factory=list)


@dataclass
class Comparison:
    """Versions side by side: ``rows[i].values[j]`` is key i of version j."""

    versions: List[ModelVersion]
    rows: List[ComparisonRow]
    revision: int = 0

    def as_dict(self) -> Dict[str, Dict[str, Any]]:
        """``{key: {version: value}}``, convenient for DataFrames."""
        return {r.key: {v.version: r.values[i] for i, v in enumerate(self.versions)} for r in self.rows}

    def best(self, key: str) -> List[ModelVersion]:
        """The versions holding the best value of a key (several on a tie)."""
        for row in self.rows:
            if row.key == key:
                return [self.versions[i] for i in row.best]
        raise KeyError(key)

    @classmethod
    def from_json(cls, res: Dict[str, Any]) -> "Comparison":
        rows = []
        for r in res.get("rows") or []:
            values = [from_value(c["value"]) if c.get("value") else None for c in r.get("cells") or []]
            direction = r.get("direction", "")
            direction = "" if direction.endswith("UNSPECIFIED") else direction.replace("METRIC_DIRECTION_", "")
            rows.append(ComparisonRow(key=r.get("key", ""), values=values, direction=direction, best=list(r.get("bestIndexes") or [])))
        versions = [ModelVersion.from_json(v) for v in res.get("modelVersions") or []]
        return cls(versions=versions, rows=rows, revision=int(res.get("revision", "0")))


@dataclass
class Event:
    """A committed change (audit log entry, watch event).

    ``type`` is CREATED, UPDATED, STATE_CHANGED, DELETED, ALIAS_SET or ALIAS_DELETED; a watch with
    ``send_initial`` also yields INITIAL (a current object, revision 0) and one SYNCED marker.
    ``resource`` is the resource after the change (before it, for DELETED), as a dataclass.
    """

    type: str
    revision: int
    resource_type: str = ""
    resource_name: str = ""
    registered_model: str = ""
    actor: str = ""
    reason: str = ""
    time: Optional[datetime] = None
    resource: Any = None
    previous: Any = field(default=None, repr=False)

    @classmethod
    def from_json(cls, e: Dict[str, Any]) -> "Event":
        resource_type, resource = snapshot(e.get("resource"))
        return cls(
            type=(e.get("type") or "").replace("EVENT_TYPE_", ""),
            revision=int(e.get("revision", "0")),
            resource_type=e.get("resourceType", "") or resource_type,
            resource_name=e.get("resourceName", ""),
            registered_model=e.get("registeredModel", ""),
            actor=e.get("actor", ""),
            reason=e.get("reason", ""),
            time=_time(e.get("time")),
            resource=resource,
            previous=snapshot(e.get("previous"))[1],
        )


@dataclass
class Alias:
    """A named pointer ("production") from a model to one of its versions."""

    alias: str
    version: str
    model_name: str = ""
    model_version: str = ""
    previous_model_version: str = ""
    resource_name: str = ""
    update_time: Optional[datetime] = None
    etag: str = ""

    @classmethod
    def from_json(cls, a: Dict[str, Any], previous: str = "") -> "Alias":
        return cls(
            alias=a.get("alias", ""),
            version=a.get("version", ""),
            model_name=a.get("registeredModelDisplayName", ""),
            model_version=a.get("modelVersion", ""),
            previous_model_version=previous,
            resource_name=a.get("name", ""),
            update_time=_time(a.get("updateTime")),
            etag=a.get("etag", ""),
        )


_SNAPSHOT_TYPES = {
    "registeredModel": ("RegisteredModel", RegisteredModel.from_json),
    "modelVersion": ("ModelVersion", ModelVersion.from_json),
    "modelArtifact": ("ModelArtifact", ModelArtifact.from_json),
    "alias": ("Alias", Alias.from_json),
}


def snapshot(s: Optional[Dict[str, Any]]) -> Tuple[str, Any]:
    """A ResourceSnapshot as (type name, dataclass); resources this SDK does not know stay dicts."""
    if not s:
        return "", None
    key, value = next(iter(s.items()))
    if key in _SNAPSHOT_TYPES:
        type_name, convert = _SNAPSHOT_TYPES[key]
        return type_name, convert(value)
    return key[:1].upper() + key[1:], value


@dataclass
class RoleGrant:
    """A role of the caller, on every model (``model_globs`` empty) or on the models matching the globs."""

    role: str
    model_globs: List[str] = field(default_factory=list)
    permissions: List[str] = field(default_factory=list)


@dataclass
class Caller:
    """Who the server says the caller is (``get_caller``): subject, roles, per-model grants, protected aliases."""

    subject: str
    authentication_method: str = "NONE"
    authentication_required: bool = False
    grants: List[RoleGrant] = field(default_factory=list)
    global_permissions: List[str] = field(default_factory=list)
    protected_aliases: List[str] = field(default_factory=list)
    expire_time: Optional[datetime] = None

    def may(self, permission: str, model: Optional[str] = None) -> bool:
        """Whether a grant gives ``permission`` (``"models.write"``) on every model, or on the model
        with display name ``model`` (the server's globs: ``*`` any run of characters, ``?`` one)."""
        for g in self.grants:
            if permission not in g.permissions:
                continue
            if not g.model_globs or (model is not None and any(_glob(p).match(model) for p in g.model_globs)):
                return True
        return False

    @classmethod
    def from_json(cls, c: Dict[str, Any]) -> "Caller":
        return cls(
            subject=c.get("subject", ""),
            authentication_method=_state(c.get("authenticationMethod"), "AUTHENTICATION_METHOD_", "NONE"),
            authentication_required=bool(c.get("authenticationRequired", False)),
            grants=[
                RoleGrant(g.get("role", ""), list(g.get("modelGlobs") or []), list(g.get("permissions") or []))
                for g in c.get("grants") or []
            ],
            global_permissions=list(c.get("globalPermissions") or []),
            protected_aliases=list(c.get("protectedAliases") or []),
            expire_time=_time(c.get("expireTime")),
        )


def _glob(pattern: str) -> "re.Pattern[str]":
    """The server's model glob as an anchored expression (fnmatch would also read [...] classes)."""
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern) + r"\Z", re.S)
