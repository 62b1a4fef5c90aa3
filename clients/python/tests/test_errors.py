"""Failures are exceptions named after the code, carrying the server's reason."""

import socket
import unittest

from support import server_url, unique

from model_registry import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    ModelRegistryClient,
    ModelRegistryError,
    NotFound,
    Unavailable,
)


class ErrorsTest(unittest.TestCase):
    def setUp(self):
        self.client = ModelRegistryClient(server_url(), author="errors")
        self.name = unique("errors")

    def tearDown(self):
        self.client.close()

    def test_a_missing_model_is_not_found(self):
        with self.assertRaises(NotFound) as cm:
            self.client.get_registered_model(self.name)
        self.assertEqual((cm.exception.code, cm.exception.reason), ("not_found", "NOT_FOUND"))
        self.assertIsInstance(cm.exception, ModelRegistryError)

    def test_a_missing_version_is_not_found(self):
        self.client.register_model(self.name, "s3://b/m", "v1")
        with self.assertRaises(NotFound):
            self.client.get_model_version(self.name, "v9")
        with self.assertRaises(NotFound):
            list(self.client.list_model_versions(unique("nobody")))

    def test_registering_an_existing_version_is_already_exists(self):
        self.client.register_model(self.name, "s3://b/m", "v1")
        with self.assertRaises(AlreadyExists) as cm:
            self.client.register_model(self.name, "s3://b/m", "v1")
        self.assertEqual(cm.exception.reason, "VERSION_EXISTS")

    def test_a_retry_with_the_same_request_id_returns_the_first_result(self):
        first = self.client.register_model(self.name, "s3://b/m", "v1", request_id=f"run-{self.name}")
        again = self.client.register_model(self.name, "s3://b/m", "v1", request_id=f"run-{self.name}")
        self.assertEqual(first.id, again.id)

    def test_the_same_request_id_with_other_content_is_already_exists(self):
        self.client.register_model(self.name, "s3://b/m", "v1", request_id=f"run-{self.name}")
        with self.assertRaises(AlreadyExists) as cm:
            self.client.register_model(self.name, "s3://b/other", "v1", request_id=f"run-{self.name}")
        self.assertEqual(cm.exception.reason, "REQUEST_ID_REUSED")

    def test_invalid_input_lists_every_bad_field(self):
        with self.assertRaises(InvalidArgument) as cm:
            self.client.register_model("", "not a uri", "")
        fields = [v["field"] for v in cm.exception.field_violations]
        self.assertEqual(fields, ["registered_model.display_name", "model_version.version", "model_artifacts[0].uri"])

    def test_registering_into_an_archived_model_is_failed_precondition(self):
        self.client.register_model(self.name, "s3://b/m", "v1")
        self.client.archive_registered_model(self.name)
        with self.assertRaises(FailedPrecondition) as cm:
            self.client.register_model(self.name, "s3://b/m", "v2")
        self.assertEqual(cm.exception.reason, "MODEL_ARCHIVED")

    def test_a_stale_etag_is_aborted_with_the_current_etag(self):
        self.client.register_model(self.name, "s3://b/m", "v1")
        stale = self.client.get_model_version(self.name, "v1").etag
        self.client.update_model_version(self.name, "v1", description="moved on")
        with self.assertRaises(Aborted) as cm:
            self.client.update_model_version(self.name, "v1", description="lost update", etag=stale)
        self.assertEqual(cm.exception.reason, "ETAG_MISMATCH")
        self.assertEqual(cm.exception.metadata["current_etag"], self.client.get_model_version(self.name, "v1").etag)

    def test_an_unreachable_server_is_unavailable(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        client = ModelRegistryClient("127.0.0.1", port=port, timeout=5)
        with self.assertRaises(Unavailable) as cm:
            client.get_registered_model("x")
        self.assertEqual(cm.exception.code, "unavailable")

    def test_errors_print_the_code_and_the_message(self):
        with self.assertRaises(NotFound) as cm:
            self.client.get_registered_model(self.name)
        self.assertRegex(str(cm.exception), r"^not_found: .*not found")


if __name__ == "__main__":
    unittest.main()
