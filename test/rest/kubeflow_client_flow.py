"""Drives the Kubeflow Model Registry REST API the way Kubeflow's clients do, with the stdlib only.

The calls and bodies are those of the `model-registry` Python package (ModelRegistry.register_model:
find-or-create the model, find the version, create it with customProperties, upsert its model
artifact; get_model_versions: page with nextPageToken until it comes back empty) and of KServe's
`model-registry://` storage initializer (model by name, version by name and parent, its artifacts).

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


def storage_initializer(c, name, version):
    """KServe's model-registry:// storage initializer: model -> version -> its model artifact's URI."""
    rm = c.find("/registered_model", name=name)
    mv = c.find("/model_version", name=version, parentResourceId=rm["id"])
    _, arts = c.request("GET", f"/model_versions/{mv['id']}/artifacts")
    models = [a for a in arts["items"] if a.get("artifactType") == "model-artifact"]
    return models[0]["uri"]


def main(base_url):
    c = Client(base_url, "kf-pipeline")
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
    seen["uri"] = storage_initializer(c, name, "v4")
    seen["model_id"] = rm["id"]
    try:
        c.request("POST", "/model_versions", body={"name": "v9", "registeredModelId": rm["id"], "authr": "typo"})
        raise AssertionError("an unknown field should be refused")
    except ApiError as e:
        assert e.status == 400 and e.body["code"] == "400", e.body
    print(json.dumps(seen))


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as e:  # noqa: BLE001 - report any failure to the test
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
