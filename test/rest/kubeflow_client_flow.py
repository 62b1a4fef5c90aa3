"""Drives the Kubeflow Model Registry REST API the way Kubeflow's clients do, with the stdlib only.

The calls and bodies are those of the `model-registry` Python package (ModelRegistry.register_model:
find-or-create the model, find the version, create it with customProperties, upsert its model
artifact; get_model_versions: page with nextPageToken until it comes back empty) and of KServe's
`model-registry://` storage initializer (model by name, version by name and parent or newest first,
its artifacts newest first), and test_core.py's standalone model artifact, created, patched and
linked to a version (with Kubeflow's free-string uri), and whole error bodies.

Usage: python3 kubeflow_client_flow.py BASE_URL
Prints one JSON object with what it saw; exits 1 (with the reason on stderr) on any deviation.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

API = "/api/model_registry/v1alpha3"


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Client:
    """The REST calls of the model-registry package's generated ModelRegistryServiceApi."""

    def __init__(self, base_url, author):
        self.base = base_url.rstrip("/") + API
        self.author = author

    def request(self, method, path, query=None, body=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        req.add_header("x-actor", self.author)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            e.close()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode(errors="replace")
            raise ApiError(e.code, payload) from None

    def find(self, path, **query):
        """find_* endpoints: None on 404, as the package maps NotFoundException."""
        try:
            return self.request("GET", path, query)[1]
        except ApiError as e:
            if e.status == 404:
                return None
            raise


def metadata_value(v):
    """model_registry.types.base._map_custom_properties: bool, int (as a string), float, str."""
    if isinstance(v, bool):
        return {"bool_value": v, "metadataType": "MetadataBoolValue"}
    if isinstance(v, int):
        return {"int_value": str(v), "metadataType": "MetadataIntValue"}
    if isinstance(v, float):
        return {"double_value": v, "metadataType": "MetadataDoubleValue"}
    return {"string_value": str(v), "metadataType": "MetadataStringValue"}


def unmap(props):
    """_unmap_custom_properties: metadataType Metadata<Type>Value -> <type>_value, ints parsed."""
    out = {}
    for key, meta in props.items():
        kind = meta["metadataType"][8:-5].lower()
        value = meta[f"{kind}_value"]
        out[key] = int(value) if kind == "int" else value
    return out


def register_model(c, name, uri, version, model_format_name, model_format_version, description=None, metadata=None):
    """ModelRegistry.register_model."""
    rm = c.find("/registered_model", name=name)
    created_model = rm is None
    if rm is None:
        status, rm = c.request("POST", "/registered_models", body={"name": name, "owner": c.author})
        assert status == 201, status
    if c.find("/model_version", name=version, parentResourceId=rm["id"]) is not None:
        raise RuntimeError(f"Version {version} already exists")
    body = {"name": version, "registeredModelId": rm["id"], "author": c.author}
    if description is not None:
        body["description"] = description
    if metadata:
        body["customProperties"] = {k: metadata_value(v) for k, v in metadata.items()}
    status, mv = c.request("POST", "/model_versions", body=body)
    assert status == 201, status
    artifact = {
        "artifactType": "model-artifact",
        "name": name,
        "uri": uri,
        "modelFormatName": model_format_name,
        "modelFormatVersion": model_format_version,
        "storageKey": "aws-connection-models",
        "storagePath": f"{name}/{version}",
    }
    status, ma = c.request("POST", f"/model_versions/{mv['id']}/artifacts", body=artifact)
    assert status in (200, 201), status
    return rm, mv, ma, created_model


def get_model_versions(c, model_id, page_size):
    """ModelRegistry.get_model_versions(name).page_size(n): a Pager over nextPageToken."""
    versions, token, pages = [], "", 0
    while True:
        query = {"pageSize": str(page_size), "orderBy": "CREATE_TIME", "sortOrder": "ASC", "nextPageToken": token or None}
        _, page = c.request("GET", f"/registered_models/{model_id}/versions", query)
        assert page["size"] == len(page["items"]), page
        assert page["pageSize"] == page_size, page
        versions.extend(page["items"])
        pages += 1
        token = page["nextPageToken"]
        if not token:
            return versions, pages
        if pages > 100:
            raise RuntimeError("nextPageToken never came back empty")


def storage_initializer(c, configured_host, storage_uri):
    """KServe's model-registry:// storage initializer for Kubeflow (ModelRegistryProvider.DownloadModel).

    The URI is parsed as it parses it: the query cut off, the first of up to three segments dropped
    when it is the host the initializer is configured with; then the model by name, the version by
    name and parent (or the model's versions newest first, taking the first), then the version's
    artifacts newest first: the first must be a model artifact with a URI.
    """
    tokens = storage_uri.split("?", 1)[0][len("model-registry://"):].split("/", 2)
    if len(tokens) >= 2 and tokens[0] == configured_host:
        tokens = tokens[1:]
    name, version = tokens[0], (tokens[1] if len(tokens) == 2 else None)
    rm = c.find("/registered_model", name=name)
    if version is not None:
        mv = c.find("/model_version", name=version, parentResourceId=rm["id"])
    else:
        _, versions = c.request("GET", f"/registered_models/{rm['id']}/versions", {"sortOrder": "DESC"})
        mv = versions["items"][0]
    _, arts = c.request("GET", f"/model_versions/{mv['id']}/artifacts", {"orderBy": "CREATE_TIME", "sortOrder": "DESC"})
    first = arts["items"][0]
    assert first.get("artifactType") == "model-artifact" and first.get("uri"), first
    return first["uri"]


def model_artifact_from_response(ma):
    """ModelArtifact.from_basemodel: a response without name, uri or state fails the conversion."""
    assert ma.get("name") and ma.get("uri") and ma.get("state"), ma
    return ma


def expect_error(fn, status, body):
    """The client compares whole error bodies."""
    try:
        fn()
    except ApiError as e:
        assert (e.status, e.body) == (status, body), (e.status, e.body)
        return
    raise AssertionError(f"expected HTTP {status}")


def standalone_and_linked(c, mv_id):
    """test_core.py: upsert_model_artifact (standalone, free-string fields), its update, then upsert_model_version_artifact."""
    body = {
        "name": "test model",
        "uri": "test uri",
        "modelFormatName": "test format",
        "storageKey": "test key",
        "state": "UNKNOWN",
        "customProperties": {},
        "artifactType": "model-artifact",
    }
    status, ma = c.request("POST", "/model_artifacts", body=body)
    assert status == 201, status
    ma = model_artifact_from_response(ma)
    update = {"description": "lorem ipsum", "uri": "uri", "state": "UNKNOWN", "customProperties": {}, "artifactType": "model-artifact"}
    _, ma = c.request("PATCH", f"/model_artifacts/{ma['id']}", body=update)
    assert ma["description"] == "lorem ipsum" and ma["uri"] == "uri", ma
    status, linked = c.request("POST", f"/model_versions/{mv_id}/artifacts", body=ma)
    assert status == 200 and linked["id"] == ma["id"], (status, linked)
    status, doc = c.request("POST", f"/model_versions/{mv_id}/artifacts", body={"uri": "test uri", "state": "UNKNOWN", "artifactType": "doc-artifact"})
    assert status == 201 and doc["name"], doc
    return linked["id"]


def main(base_url):
    c = Client(base_url, "kf-pipeline")
    host = urllib.parse.urlparse(base_url).netloc
    name = "fraud-detector-kf"
    seen = {"versions": [], "created_model": []}
    for i in range(1, 6):
        rm, mv, ma, created_model = register_model(
            c,
            name,
            f"s3://ml-models/{name}/v{i}/model.onnx",
            version=f"v{i}",
            model_format_name="onnx",
            model_format_version="1.14",
            description=f"retrain {i}",
            metadata={"accuracy": 0.9 + i / 100, "epochs": 10 * i, "dataset": f"q{i}", "calibrated": i % 2 == 0},
        )
        seen["created_model"].append(created_model)
        assert mv["registeredModelId"] == rm["id"]
        assert ma["uri"].endswith(f"v{i}/model.onnx"), ma
        assert unmap(mv["customProperties"]) == {"accuracy": 0.9 + i / 100, "epochs": 10 * i, "dataset": f"q{i}", "calibrated": i % 2 == 0}
    try:
        register_model(c, name, "s3://x", version="v3", model_format_name="onnx", model_format_version="1")
        raise AssertionError("registering v3 twice should fail")
    except RuntimeError as e:
        assert "already exists" in str(e)
    versions, pages = get_model_versions(c, rm["id"], page_size=2)
    seen["versions"] = [v["name"] for v in versions]
    seen["pages"] = pages
    seen["storage_uris"] = {
        uri: storage_initializer(c, host, uri)
        for uri in [f"model-registry://{host}/{name}/v4", f"model-registry://{host}/{name}", f"model-registry://{name}/v2?revision=1"]
    }
    seen["model_id"] = rm["id"]
    seen["linked_artifact_id"] = standalone_and_linked(c, mv["id"])
    expect_error(
        lambda: c.request("POST", "/model_versions", body={"name": "v9", "registeredModelId": rm["id"], "authr": "typo"}),
        400,
        {"code": "Bad Request", "message": 'json: unknown field "authr"'},
    )
    expect_error(
        lambda: c.request("POST", "/model_versions", body={"registeredModelId": rm["id"]}),
        422,
        {"code": "Bad Request", "message": "required field 'name' is zero value."},
    )
    print(json.dumps(seen))


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as e:  # noqa: BLE001 - report any failure to the test
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
