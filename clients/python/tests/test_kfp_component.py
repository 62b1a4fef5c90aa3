"""The Kubeflow Pipelines example (examples/kfp): registration is idempotent under retries."""

import importlib.util
import os
import sys
import types
import unittest

from support import REPO_ROOT, server_url, unique

from model_registry import AlreadyExists, ModelRegistryClient

EXAMPLE = os.path.join(REPO_ROOT, "examples", "kfp", "register_component.py")


def load_example(with_stub_kfp: bool):
    """Imports the example; with a stand-in `kfp.dsl` so that the component body can run here."""
    saved = {k: sys.modules.get(k) for k in ("kfp", "kfp.dsl")}
    if with_stub_kfp:
        dsl = types.ModuleType("kfp.dsl")
        dsl.component = lambda **options: (lambda fn: fn)

        class Input:
            def __class_getitem__(cls, item):
                return item

        dsl.Input, dsl.Model, dsl.Metrics = Input, object, object
        kfp = types.ModuleType("kfp")
        kfp.dsl = dsl
        sys.modules.update({"kfp": kfp, "kfp.dsl": dsl})
    try:
        name = f"register_component_{'stub' if with_stub_kfp else 'plain'}"
        spec = importlib.util.spec_from_file_location(name, EXAMPLE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


class Artifact:
    """What KFP passes for an Input[Model] / Input[Metrics]."""

    def __init__(self, uri, metadata):
        self.uri, self.metadata = uri, metadata


class KfpComponentTest(unittest.TestCase):
    def setUp(self):
        self.name = unique("kfp-model")
        self.example = load_example(with_stub_kfp=False)

    def test_the_example_imports_without_kfp(self):
        self.assertIsNone(self.example.dsl)
        self.assertFalse(hasattr(self.example, "register_model_op"))

    def test_a_retried_step_returns_the_version_the_first_attempt_registered(self):
        args = (server_url(), self.name, "v1", f"s3://ml/{self.name}/v1/model.onnx", "run-123")
        first = self.example.register_trained_model(*args, model_format_name="onnx", metadata={"accuracy": 0.91})
        retry = self.example.register_trained_model(*args, model_format_name="onnx", metadata={"accuracy": 0.91})
        self.assertEqual(first, retry)
        self.assertEqual(first["uri"], f"s3://ml/{self.name}/v1/model.onnx")
        with ModelRegistryClient(server_url()) as client:
            versions = list(client.list_model_versions(self.name))
        self.assertEqual([v.version for v in versions], ["v1"])
        self.assertEqual(versions[0].metadata, {"accuracy": 0.91, "pipeline_run_id": "run-123"})
        self.assertEqual(versions[0].author, "kubeflow-pipelines")

    def test_another_run_registering_the_same_version_is_refused(self):
        self.example.register_trained_model(server_url(), self.name, "v1", "s3://ml/a", "run-1")
        with self.assertRaises(AlreadyExists):
            self.example.register_trained_model(server_url(), self.name, "v1", "s3://ml/a", "run-2")

    def test_a_run_id_is_required(self):
        with self.assertRaises(ValueError):
            self.example.register_trained_model(server_url(), self.name, "v1", "s3://ml/a", "")

    def test_the_component_registers_the_model_artifact_with_its_metrics(self):
        example = load_example(with_stub_kfp=True)
        model = Artifact(f"minio://mlpipeline/v2/artifacts/{self.name}/model", {"framework": "sklearn"})
        metrics = Artifact("minio://mlpipeline/v2/artifacts/metrics", {"accuracy": 0.93, "f1_score": 0.9})
        kwargs = dict(registry_address=server_url(), model_name=self.name, version="v7", model=model, metrics=metrics, run_id="run-77")
        name = example.register_model_op(**kwargs)
        self.assertEqual(example.register_model_op(**kwargs), name)
        with ModelRegistryClient(server_url()) as client:
            v = client.get_model_version(self.name, "v7")
        self.assertEqual((v.resource_name, v.uri, v.model_format_name), (name, model.uri, "sklearn"))
        self.assertEqual(v.metadata, {"accuracy": 0.93, "f1_score": 0.9, "framework": "sklearn", "pipeline_run_id": "run-77"})


if __name__ == "__main__":
    unittest.main()
