"""The seed example, verbatim apart from the import and the address."""

import io
import unittest
from contextlib import redirect_stdout
from urllib.parse import urlsplit

from support import server_url, unique

from model_registry import ModelArtifact, ModelRegistry, ModelRegistryClient, ModelVersion, RegisteredModel


class SeedExampleTest(unittest.TestCase):
    def setUp(self):
        url = urlsplit(server_url())
        self.client = ModelRegistryClient(f"http://{url.hostname}", port=url.port, author="data-scientist@acme.com")
        self.name = unique("fraud-detector")

    def tearDown(self):
        self.client.close()

    def register_seed(self, client):
        return client.register_model(
            name=self.name,
            uri=f"s3://ml-models/{self.name}/v2/model.onnx",
            version="v2",
            description="Retrained with Q4 2025 data, improved precision",
            model_format_name="onnx",
            model_format_version="1.14",
            metadata={
                "accuracy": 0.967,
                "precision": 0.943,
                "recall": 0.951,
                "f1_score": 0.947,
                "training_pipeline_run": "run-xyz789",
                "dataset_version": "fraud-data-q4-2025",
            },
        )

    def test_registers_reads_and_lists_the_seed_model(self):
        client = self.client
        model = self.register_seed(client)
        self.assertIsInstance(model, RegisteredModel)
        self.assertEqual(model.name, self.name)
        self.assertEqual(model.state, "LIVE")

        version = client.get_model_version(name=self.name, version="v2")
        self.assertIsInstance(version, ModelVersion)
        self.assertEqual(version.version, "v2")
        self.assertEqual(version.state, "LIVE")
        self.assertEqual(version.uri, f"s3://ml-models/{self.name}/v2/model.onnx")
        self.assertEqual(version.description, "Retrained with Q4 2025 data, improved precision")
        self.assertEqual(version.author, "data-scientist@acme.com")
        self.assertEqual(version.model_format_name, "onnx")
        self.assertEqual(version.metadata["accuracy"], 0.967)
        self.assertEqual(version.metadata["training_pipeline_run"], "run-xyz789")

        out = io.StringIO()
        with redirect_stdout(out):
            for v in client.list_model_versions(name=self.name):
                print(v.version, v.state, v.uri)
        self.assertEqual(out.getvalue(), f"v2 LIVE s3://ml-models/{self.name}/v2/model.onnx\n")

    def test_get_model_artifact_returns_the_artifact_of_the_version(self):
        self.register_seed(self.client)
        artifact = self.client.get_model_artifact(self.name, "v2")
        self.assertIsInstance(artifact, ModelArtifact)
        self.assertEqual(artifact.uri, f"s3://ml-models/{self.name}/v2/model.onnx")
        self.assertEqual((artifact.model_format_name, artifact.model_format_version), ("onnx", "1.14"))

    def test_get_registered_model_reads_the_model_by_name(self):
        self.register_seed(self.client)
        model = self.client.get_registered_model(self.name)
        self.assertEqual(model.name, self.name)
        self.assertTrue(model.resource_name.startswith("registeredModels/"))
        self.assertEqual(self.client.get_registered_model(model.resource_name).name, self.name)

    def test_latest_resolves_to_the_newest_live_version(self):
        self.register_seed(self.client)
        self.client.register_model(self.name, "s3://ml-models/x/v3/model.onnx", "v3")
        self.assertEqual(self.client.get_model_version(self.name, "latest").version, "v3")
        self.client.archive_model_version(self.name, "v3")
        self.assertEqual(self.client.get_model_version(self.name, "latest").version, "v2")

    def test_kubeflow_import_name_works_with_a_url_address(self):
        client = ModelRegistry(server_url(), author="kf-user")
        self.addCleanup(client.close)
        model = client.register_model(self.name, "gs://bucket/model", version="1.0.0", model_format_name="sklearn", model_format_version="1")
        self.assertEqual(model.name, self.name)
        self.assertEqual(client.get_model_version(self.name, "1.0.0").name, "1.0.0")


if __name__ == "__main__":
    unittest.main()
