"""A Kubeflow Pipelines step that registers the model a training step produced.

Retries are safe: the request id is derived from the pipeline run id, so when KFP retries the step
(or the step crashes after the server committed), the registry returns the version the first
attempt created instead of failing or registering twice.

It is a *containerized* Python component, so the component can call `register_trained_model`
below (a lightweight component would only ship the function's own source). The SDK is pure
standard library, so it ships as an adjacent package, with no pip install in the image:

    cp -r clients/python/model_registry examples/kfp/
    kfp component build examples/kfp/ --component-filepattern register_component.py --push-image

`register_trained_model` is a plain function with no kfp import, tested on its own against a real
server in clients/python/tests/test_kfp_component.py.

    from register_component import register_model_op
    register_model_op(
        registry_address="http://model-registry.kubeflow.svc",
        model_name="fraud-detector",
        version="v2",
        model=train_task.outputs["model"],
        metrics=train_task.outputs["metrics"],
        run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
    )
"""

from typing import Any, Dict, Mapping, Optional

try:  # kfp is only needed to build and run the pipeline, not to use or test the function
    from kfp import dsl
except ImportError:  # pragma: no cover - exercised where kfp is not installed
    dsl = None


def registration_request_id(run_id: str, model_name: str, version: str) -> str:
    """The same id for every attempt of one run's registration of one version (at most 128 chars)."""
    if not run_id:
        raise ValueError("run_id is required: it makes retries of the step idempotent")
    return f"kfp:{run_id}:{model_name}:{version}"[:128]


def register_trained_model(
    registry_address: str,
    model_name: str,
    version: str,
    uri: str,
    run_id: str,
    *,
    model_format_name: str = "",
    model_format_version: str = "",
    description: str = "",
    metadata: Optional[Mapping[str, Any]] = None,
    author: str = "kubeflow-pipelines",
    port: int = 8080,
    token: Optional[str] = None,
) -> Dict[str, str]:
    """Registers `uri` as `version` of `model_name`, idempotently for the run `run_id`.

    Returns the version's resource name, version string and URI (KFP step outputs). A second
    attempt for the same run returns the same version; another run registering the same version
    string fails with AlreadyExists (VERSION_EXISTS), as it should.
    """
    from model_registry import ModelRegistryClient

    meta = dict(metadata or {})
    meta.setdefault("pipeline_run_id", run_id)
    with ModelRegistryClient(registry_address, port=port, author=author, token=token) as client:
        client.register_model(
            name=model_name,
            uri=uri,
            version=version,
            description=description or None,
            model_format_name=model_format_name or None,
            model_format_version=model_format_version or None,
            metadata=meta,
            request_id=registration_request_id(run_id, model_name, version),
        )
        registered = client.get_model_version(model_name, version)
    return {"resource_name": registered.resource_name, "version": registered.version, "uri": registered.uri}


if dsl is not None:

    @dsl.component(
        base_image="python:3.11-slim",
        target_image="ghcr.io/acme/model-registry-register:0.1.0",
    )
    def register_model_op(
        registry_address: str,
        model_name: str,
        version: str,
        model: dsl.Input[dsl.Model],
        metrics: dsl.Input[dsl.Metrics],
        run_id: str,
        description: str = "",
        model_format_name: str = "",
        model_format_version: str = "",
    ) -> str:
        """Registers the trained model with its logged metrics; outputs the version's resource name."""
        metadata = {**dict(metrics.metadata or {}), **{k: v for k, v in (model.metadata or {}).items() if k != "display_name"}}
        result = register_trained_model(
            registry_address,
            model_name,
            version,
            model.uri,
            run_id,
            model_format_name=model_format_name or str(model.metadata.get("framework", "")),
            model_format_version=model_format_version,
            description=description,
            metadata=metadata,
        )
        return result["resource_name"]
