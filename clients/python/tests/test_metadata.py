"""Metadata dicts become typed custom properties and come back as the same Python values."""

import math
import unittest

from support import server_url, unique

from model_registry import ModelRegistryClient
from model_registry.metadata import to_properties

VALUES = {
    "accuracy": 0.967,
    "whole_double": 1.0,
    "epochs": 10,
    "big_int": 2**62 + 1,
    "negative": -(2**63),
    "early_stopping": True,
    "shuffled": False,
    "dataset": "fraud-data-q4-2025",
    "empty": "",
    "optimizer": {"name": "adam", "betas": [0.9, 0.999], "nested": {"on": True, "none": None}},
    "layers": [64, 32, "relu"],
    "MixedCase.key-with.dots": "ok",
}


class MetadataTest(unittest.TestCase):
    def setUp(self):
        self.client = ModelRegistryClient(server_url(), author="typed")
        self.name = unique("typed")

    def tearDown(self):
        self.client.close()

    def test_python_types_map_to_proto_kinds(self):
        props = to_properties({"f": 0.5, "i": 3, "b": True, "s": "x", "d": {"k": 1}, "l": [1]})
        self.assertEqual(
            props,
            {
                "f": {"doubleValue": 0.5},
                "i": {"intValue": "3"},
                "b": {"boolValue": True},
                "s": {"stringValue": "x"},
                "d": {"structValue": {"k": 1}},
                "l": {"structValue": {"$list": [1]}},
            },
        )

    def test_every_type_round_trips_with_its_python_type(self):
        self.client.register_model(self.name, "s3://b/m", "v1", metadata=VALUES)
        got = self.client.get_model_version(self.name, "v1").metadata
        self.assertEqual(got, VALUES)
        for key, value in VALUES.items():
            self.assertIs(type(got[key]), type(value), key)

    def test_ints_beyond_2_53_stay_exact(self):
        self.client.register_model(self.name, "s3://b/m", "v1", metadata={"n": 2**63 - 1})
        self.assertEqual(self.client.get_model_version(self.name, "v1").metadata["n"], 2**63 - 1)

    def test_update_merges_keys_and_none_removes_one(self):
        self.client.register_model(self.name, "s3://b/m", "v1", metadata={"accuracy": 0.9, "f1_score": 0.8, "keep": "me"})
        updated = self.client.update_model_version(self.name, "v1", metadata={"accuracy": 0.95, "f1_score": None, "newKey_x": 3})
        self.assertEqual(updated.metadata, {"accuracy": 0.95, "keep": "me", "newKey_x": 3})
        self.assertEqual(self.client.get_model_version(self.name, "v1").metadata, updated.metadata)

    def test_update_changes_only_the_given_fields(self):
        self.client.register_model(self.name, "s3://b/m", "v1", description="first", metadata={"a": 1})
        updated = self.client.update_model_version(self.name, "v1", description="second")
        self.assertEqual((updated.description, updated.metadata, updated.author), ("second", {"a": 1}, "typed"))

    def test_model_metadata_and_labels_merge(self):
        self.client.register_model(self.name, "s3://b/m", "v1", owner="risk-team")
        self.client.update_registered_model(self.name, labels={"team": "fraud"}, metadata={"tier": 1})
        model = self.client.update_registered_model(self.name, labels={"env": "prod"}, description="d")
        self.assertEqual((model.labels, model.metadata, model.owner, model.description), ({"team": "fraud", "env": "prod"}, {"tier": 1}, "risk-team", "d"))

    def test_non_finite_doubles_are_refused_before_sending(self):
        for bad in (math.nan, math.inf, {"x": -math.inf}):
            with self.assertRaises(ValueError):
                to_properties({"bad": bad})

    def test_unsupported_types_are_refused(self):
        with self.assertRaises(TypeError):
            to_properties({"when": object()})
        with self.assertRaises(ValueError):
            to_properties({"huge": 2**64})


if __name__ == "__main__":
    unittest.main()
