"""ModelRegistryClient: the Kubeflow-style call shape over this registry's Connect API."""

import ssl
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

from ._connect import ConnectTransport
from ._watch import WatchStream
from .errors import Aborted, NotFound
from .metadata import to_properties, to_value
from .types import Alias, Caller, Comparison, Event, ModelArtifact, ModelVersion, RegisteredModel
from .webhooks import Webhooks

_STATES = {"LIVE": "STATE_LIVE", "ARCHIVED": "STATE_ARCHIVED"}
VersionSpec = Union[str, Tuple[str, str]]


class ModelRegistryClient:
    """A client of one model registry server.

    ``server_address`` is a host name or a URL (``http://host:8080``, ``https://registry.acme.com``);
    a scheme in it overrides ``is_secure`` and a port in it overrides ``port``. ``author`` is sent as
    the ``x-actor`` header (who made each change) and is the default author of registered
    versions. ``token`` (or Kubeflow's ``user_token``) is sent as ``Authorization: Bearer``;
    ``custom_ca`` is a CA bundle file for https.
    """

    def __init__(
        self,
        server_address: str,
        port: int = 8080,
        *,
        author: str = "",
        token: Optional[str] = None,
        is_secure: bool = False,
        custom_ca: Optional[str] = None,
        timeout: float = 30.0,
        user_token: Optional[str] = None,
    ) -> None:
        token = token or user_token  # user_token: Kubeflow's name for it
        address = server_address if "://" in server_address else f"{'https' if is_secure else 'http'}://{server_address}"
        parts = urlsplit(address)
        if parts.port is None:
            address = f"{parts.scheme}://{parts.hostname}:{port}{parts.path}"
        context = ssl.create_default_context(cafile=custom_ca) if custom_ca else None
        headers = {"user-agent": "model-registry-client-python/0.1"}
        if author:
            headers["x-actor"] = author
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.author = author
        self.server_url = address.rstrip("/")
        self._t = ConnectTransport(self.server_url, headers, timeout=timeout, ssl_context=context)
        #: Webhooks (WebhookService): ``client.webhooks.create(...)``, ``.get``, ``.list``, ...
        self.webhooks = Webhooks(self._t, lambda model: self._model_json(model)["name"])

    def close(self) -> None:
        """Closes the pooled connection of the calling thread."""
        self._t.close()

    def __enter__(self) -> "ModelRegistryClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- register and read ----

    def register_model(
        self,
        name: str,
        uri: str,
        version: str,
        description: Optional[str] = None,
        model_format_name: Optional[str] = None,
        model_format_version: Optional[str] = None,
        storage_key: Optional[str] = None,
        storage_path: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        request_id: Optional[str] = None,
        *,
        service_account_name: Optional[str] = None,
        author: Optional[str] = None,
        owner: Optional[str] = None,
    ) -> RegisteredModel:
        """Registers version ``version`` of model ``name`` with one artifact at ``uri``, in one
        transaction; the model is created when it does not exist. ``metadata`` becomes the
        version's typed custom properties. With ``request_id`` a retry of the same call returns
        the first result instead of failing (pipelines: use the run id). Returns the model, as
        Kubeflow's ``register_model`` does; read the version with ``get_model_version``.
        """
        artifact: Dict[str, Any] = {"uri": uri}
        for key, value in (
            ("modelFormatName", model_format_name),
            ("modelFormatVersion", model_format_version),
            ("storageKey", storage_key),
            ("storagePath", storage_path),
            ("serviceAccountName", service_account_name),
        ):
            if value:
                artifact[key] = value
        model: Dict[str, Any] = {"displayName": name}
        if owner:
            model["owner"] = owner
        mv: Dict[str, Any] = {"version": version, "customProperties": to_properties(metadata)}
        if description:
            mv["description"] = description
        if author or self.author:
            mv["author"] = author or self.author
        req: Dict[str, Any] = {"registeredModel": model, "modelVersion": mv, "modelArtifacts": [artifact]}
        if request_id:
            req["requestId"] = request_id
        res = self._t.unary("RegisterModel", req, idempotent=bool(request_id))
        return RegisteredModel.from_json(res["registeredModel"])

    def get_registered_model(self, name: str) -> RegisteredModel:
        """A model by display name (or by resource name ``registeredModels/{id}``)."""
        return RegisteredModel.from_json(self._model_json(name))

    def get_model_version(self, name: str, version: str) -> ModelVersion:
        """A version of model ``name``: a version string (``"v2"``), ``"latest"`` (the newest LIVE
        version) or ``"@alias"``. Carries the URI and format of its artifact."""
        return self._with_artifacts(self._version_json(name, version))

    def get_model_artifact(self, name: str, version: str) -> ModelArtifact:
        """The (first) artifact of a version; NotFound when the version has none."""
        v = self._version_json(name, version)
        arts = self._artifacts(v["name"], page_size=1)
        if not arts:
            raise NotFound(f"model version {name}/{version} has no artifact", reason="NOT_FOUND")
        return arts[0]

    def get_model_artifacts(self, name: str, version: str) -> List[ModelArtifact]:
        """Every artifact of a version, in creation order."""
        return self._artifacts(self._version_json(name, version)["name"])

    # ---- lists (page transparently) ----

    def list_registered_models(
        self, filter: Optional[str] = None, order_by: Optional[str] = None, page_size: int = 100, full: bool = False
    ) -> Iterator[RegisteredModel]:
        """Every model matching ``filter`` (README "Filter language"), in ``order_by`` order
        (``"create_time desc"``, ``"display_name"``, ``"custom_properties.accuracy desc"``). With
        ``full`` each model also carries its ``latest_version`` and ``aliases``, read with the page
        (the FULL view: no extra call per model)."""
        base = {"view": "REGISTERED_MODEL_VIEW_FULL"} if full else {}
        for m in self._pages("ListRegisteredModels", base, "registeredModels", filter, order_by, page_size):
            yield RegisteredModel.from_json(m)

    def get_caller(self) -> Caller:
        """Who the server says this client is: subject, roles, per-model grants, protected aliases
        (``caller.may("models.write", "fraud-detector")``). The server still decides every call."""
        return Caller.from_json(self._t.unary("GetCaller", {}, idempotent=True)["caller"])

    def list_model_versions(
        self,
        name: str,
        filter: Optional[str] = None,
        order_by: Optional[str] = None,
        page_size: int = 100,
        with_artifacts: bool = True,
    ) -> Iterator[ModelVersion]:
        """Every version of model ``name`` (``"-"`` for every model) matching ``filter``. With
        ``with_artifacts`` (the default) each version carries its artifact's ``uri``, at the cost
        of one extra call per version; pass ``False`` when you only need versions and metadata."""
        parent = "registeredModels/-" if name == "-" else self._model_json(name)["name"]
        for v in self._pages("ListModelVersions", {"parent": parent}, "modelVersions", filter, order_by, page_size):
            yield self._with_artifacts(v) if with_artifacts else ModelVersion.from_json(v)

    # ---- change ----

    def update_model_version(
        self,
        name: str,
        version: str,
        *,
        description: Optional[str] = None,
        author: Optional[str] = None,
        state: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        etag: Optional[str] = None,
    ) -> ModelVersion:
        """Changes only the given fields. ``metadata`` keys are merged into the version's
        metadata; a key whose value is ``None`` is removed. ``state`` is ``"LIVE"`` or
        ``"ARCHIVED"``. With ``etag`` the update fails with Aborted if the version changed since it
        was read; without it, a concurrent change is retried over the fresh version.
        """

        def build(current: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
            mv: Dict[str, Any] = {"name": current["name"]}
            paths: List[str] = []
            if description is not None:
                mv["description"] = description
                paths.append("description")
            if author is not None:
                mv["author"] = author
                paths.append("author")
            if state is not None:
                mv["state"] = _state(state)
                paths.append("state")
            if metadata:
                mv["customProperties"] = _merge(current.get("customProperties"), metadata, to_value)
                paths.append("customProperties")
            return mv, paths

        res = self._update(
            "UpdateModelVersion", "modelVersion", lambda: self._version_json(name, version), build, etag
        )
        return self._with_artifacts(res)

    def archive_model_version(self, name: str, version: str) -> ModelVersion:
        """Archives a version: it stays readable but ``latest`` skips it."""
        return self.update_model_version(name, version, state="ARCHIVED")

    def restore_model_version(self, name: str, version: str) -> ModelVersion:
        """Makes an archived version LIVE again."""
        return self.update_model_version(name, version, state="LIVE")

    def update_registered_model(
        self,
        name: str,
        *,
        description: Optional[str] = None,
        owner: Optional[str] = None,
        state: Optional[str] = None,
        labels: Optional[Mapping[str, Optional[str]]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        etag: Optional[str] = None,
    ) -> RegisteredModel:
        """Changes only the given fields of a model; labels and metadata merge key by key
        (``None`` removes a key). ``etag`` as in ``update_model_version``."""

        def build(current: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
            m: Dict[str, Any] = {"name": current["name"]}
            paths: List[str] = []
            for key, value in (("description", description), ("owner", owner)):
                if value is not None:
                    m[key] = value
                    paths.append(key)
            if state is not None:
                m["state"] = _state(state)
                paths.append("state")
            if labels:
                m["labels"] = _merge(current.get("labels"), labels, lambda _k, v: str(v))
                paths.append("labels")
            if metadata:
                m["customProperties"] = _merge(current.get("customProperties"), metadata, to_value)
                paths.append("customProperties")
            return m, paths

        res = self._update("UpdateRegisteredModel", "registeredModel", lambda: self._model_json(name), build, etag)
        return RegisteredModel.from_json(res)

    def archive_registered_model(self, name: str, cascade: bool = False, reason: Optional[str] = None) -> RegisteredModel:
        """Archives a model: no new versions can be registered into it. Refused (FailedPrecondition,
        MODEL_IN_USE) while an alias or a deployment uses it, unless ``cascade`` archives its LIVE
        versions too, in the same transaction."""
        req: Dict[str, Any] = {"name": self._model_json(name)["name"], "cascade": cascade}
        if reason:
            req["reason"] = reason
        return RegisteredModel.from_json(self._t.unary("ArchiveRegisteredModel", req)["registeredModel"])

    def restore_registered_model(self, name: str) -> RegisteredModel:
        """Makes an archived model LIVE again (its versions keep their state)."""
        return self.update_registered_model(name, state="LIVE")

    # ---- compare ----

    def compare(
        self,
        name: str,
        versions: Sequence[VersionSpec],
        keys: Optional[Sequence[str]] = None,
        higher_is_better: Optional[Sequence[str]] = None,
        lower_is_better: Optional[Sequence[str]] = None,
        unranked: Optional[Sequence[str]] = None,
    ) -> Comparison:
        """Puts the metadata of versions of model ``name`` side by side and marks the best value
        of each numeric key. A version may be ``"v2"``, ``"latest"``, ``"@alias"``, or a
        ``(model, version)`` pair to compare across models."""
        names = []
        for spec in versions:
            model, version = spec if isinstance(spec, tuple) else (name, spec)
            names.append(self._version_json(model, version)["name"])
        req = {
            "names": names,
            "keys": list(keys or []),
            "higherIsBetter": list(higher_is_better or []),
            "lowerIsBetter": list(lower_is_better or []),
            "unranked": list(unranked or []),
        }
        return Comparison.from_json(self._t.unary("CompareModelVersions", req, idempotent=True))

    # ---- aliases ----

    def set_alias(
        self,
        name: str,
        alias: str,
        version: str,
        expected_version: Optional[str] = None,
        reason: Optional[str] = None,
    ) -> Alias:
        """Points ``alias`` ("production") of model ``name`` at ``version`` (a version string,
        ``"latest"`` or ``"@other-alias"``, resolved atomically on the server).

        ``expected_version`` makes it a compare-and-set: the alias must point at that version now
        (``""``: must not exist yet), otherwise Aborted (reason ALIAS_CHANGED) and nothing changes.
        The returned alias carries ``previous_model_version`` for a rollback.
        """
        model = self._model_json(name)
        req: Dict[str, Any] = {
            "name": f"{model['name']}/aliases/{alias}",
            "modelVersion": self._version_target(model, version),
        }
        if expected_version is not None:
            req["expectedModelVersion"] = self._version_target(model, expected_version) if expected_version else ""
        if reason:
            req["reason"] = reason
        res = self._t.unary("SetAlias", req)
        return Alias.from_json(res["alias"], res.get("previousModelVersion", ""))

    def delete_alias(
        self,
        name: str,
        alias: str,
        expected_version: Optional[str] = None,
        force: bool = False,
        reason: Optional[str] = None,
    ) -> Alias:
        """Removes an alias; returns it as it was. ``expected_version`` as in ``set_alias``;
        ``force`` removes an alias that a DEPLOYED inference service follows."""
        model = self._model_json(name)
        req: Dict[str, Any] = {"name": f"{model['name']}/aliases/{alias}", "force": force}
        if expected_version is not None:
            req["expectedModelVersion"] = self._version_target(model, expected_version) if expected_version else ""
        if reason:
            req["reason"] = reason
        return Alias.from_json(self._t.unary("DeleteAlias", req)["alias"])

    # ---- change stream and audit log ----

    def list_events(
        self,
        name: Optional[str] = None,
        resource_types: Optional[Sequence[str]] = None,
        types: Optional[Sequence[str]] = None,
        actor: Optional[str] = None,
        newest_first: bool = False,
        page_size: int = 100,
    ) -> Iterator[Event]:
        """The audit log, oldest first: every change (of model ``name`` and everything under
        it, when given), optionally only of some resource types ("ModelVersion"), event types
        ("CREATED", "ALIAS_SET", ...) or one actor."""
        base: Dict[str, Any] = {}
        if name:
            base["registeredModel"] = self._model_json(name)["name"]
        if resource_types:
            base["resourceTypes"] = list(resource_types)
        if types:
            base["types"] = [t if t.startswith("EVENT_TYPE_") else f"EVENT_TYPE_{t.upper()}" for t in types]
        if actor:
            base["actor"] = actor
        order = "revision desc" if newest_first else None
        for e in self._pages("ListEvents", base, "events", None, order, page_size):
            yield Event.from_json(e)

    def watch(
        self,
        name: Optional[str] = None,
        resource_types: Optional[Sequence[str]] = None,
        filter: Optional[str] = None,
        start_revision: Optional[int] = None,
        send_initial: bool = False,
        reconnect: bool = True,
        max_reconnects: Optional[int] = None,
        idle_timeout: float = 60.0,
    ) -> "WatchStream":
        """A generator of changes as they are committed, each exactly once and in revision order.

        Without ``start_revision`` it starts from now; with it, from the change after that
        revision (resume from ``event.revision``). ``send_initial`` first yields every matching
        current object (type INITIAL), then one SYNCED event carrying the revision they were read
        at, then changes. When the connection drops the generator reconnects by itself, with
        backoff, from the last revision it has seen, so nothing is lost or repeated (before SYNCED
        it starts the initial listing over). A revision older than the retained history raises
        OutOfRange: list again and watch from the list's revision.

        The result is an iterator with ``close()`` (callable from another thread: it ends the
        iteration) and ``last_revision`` (persist it to resume later with ``start_revision``).
        """
        if start_revision is not None and send_initial:
            raise ValueError("start_revision and send_initial exclude each other")
        base: Dict[str, Any] = {}
        if name:
            base["registeredModel"] = self._model_json(name)["name"]
        if resource_types:
            base["resourceTypes"] = list(resource_types)
        if filter:
            base["filter"] = filter
        return WatchStream(self._t, base, start_revision, send_initial, reconnect, max_reconnects, idle_timeout)

    # ---- helpers ----

    def _model_json(self, name: str) -> Dict[str, Any]:
        req = {"name": name} if _is_resource_name(name, 2) else {"displayName": name}
        return self._t.unary("GetRegisteredModel", req, idempotent=True)["registeredModel"]

    def _version_json(self, name: str, version: str) -> Dict[str, Any]:
        if _is_resource_name(name, 2):
            req: Dict[str, Any] = {"registeredModelDisplayName": self._model_json(name)["displayName"], "version": version}
        else:
            req = {"registeredModelDisplayName": name, "version": version}
        return self._t.unary("GetModelVersion", req, idempotent=True)["modelVersion"]

    def _version_target(self, model: Dict[str, Any], version: str) -> str:
        """A version's resource name; ``latest`` and ``@alias`` stay symbolic for the server."""
        if version == "latest" or version.startswith("@"):
            return f"{model['name']}/versions/{version}"
        return self._version_json(model["displayName"], version)["name"]

    def _artifacts(self, version_name: str, page_size: int = 100) -> List[ModelArtifact]:
        if page_size == 1:
            res = self._t.unary("ListModelArtifacts", {"parent": version_name, "pageSize": 1}, idempotent=True)
            return [ModelArtifact.from_json(a) for a in res.get("modelArtifacts") or []]
        items = self._pages("ListModelArtifacts", {"parent": version_name}, "modelArtifacts", None, None, page_size)
        return [ModelArtifact.from_json(a) for a in items]

    def _with_artifacts(self, v: Dict[str, Any]) -> ModelVersion:
        return ModelVersion.from_json(v, self._artifacts(v["name"]))

    def _update(self, method: str, field: str, read, build, etag: Optional[str]) -> Dict[str, Any]:
        """Read, change, write guarded by the etag that was read. Map fields are sent whole
        (proto3 JSON field masks cannot name map keys with '_' or capitals), so a concurrent
        change is detected by the etag and retried on the fresh resource."""
        for attempt in range(5):
            current = read()
            resource, paths = build(current)
            if not paths:
                return current
            resource["etag"] = etag or current.get("etag", "")
            try:
                return self._t.unary(method, {field: resource, "updateMask": ",".join(paths)})[field]
            except Aborted:
                if etag or attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def _pages(
        self,
        method: str,
        base: Dict[str, Any],
        field: str,
        filter: Optional[str],
        order_by: Optional[str],
        page_size: int,
    ) -> Iterator[Dict[str, Any]]:
        req = dict(base, pageSize=page_size)
        if filter:
            req["filter"] = filter
        if order_by:
            req["orderBy"] = order_by
        while True:
            res = self._t.unary(method, req, idempotent=True)
            yield from res.get(field) or []
            token = res.get("nextPageToken", "")
            if not token:
                return
            req["pageToken"] = token


def _merge(current: Optional[Mapping[str, Any]], changes: Mapping[str, Any], convert) -> Dict[str, Any]:
    """current (proto3 JSON map) with changes applied: None removes a key."""
    merged = dict(current or {})
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = convert(key, value)
    return merged


def _state(state: str) -> str:
    key = state.upper().replace("STATE_", "")
    if key not in _STATES:
        raise ValueError(f'state must be "LIVE" or "ARCHIVED", got {state!r}')
    return _STATES[key]


def _is_resource_name(name: str, segments: int) -> bool:
    parts = name.split("/")
    return len(parts) == segments and parts[0] == "registeredModels" and parts[1].isdigit()


# Kubeflow's SDK calls the class ModelRegistry: `from model_registry import ModelRegistry` keeps working:
# `ModelRegistry` is this class under Kubeflow's name.
ModelRegistry = ModelRegistryClient
