"""compare() puts versions side by side and names the best per metric."""

import unittest

from support import server_url, unique

from model_registry import Comparison, ModelRegistryClient


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.client = ModelRegistryClient(server_url(), author="evaluator")
        self.name = unique("compared")
        self.client.register_model(self.name, "s3://b/v1", "v1", metadata={"accuracy": 0.91, "loss": 0.30, "epochs": 10})
        self.client.register_model(self.name, "s3://b/v2", "v2", metadata={"accuracy": 0.95, "loss": 0.35, "epochs": 20})

    def tearDown(self):
        self.client.close()

    def test_rows_hold_the_values_of_each_version_and_mark_the_best(self):
        result = self.client.compare(self.name, ["v1", "v2"], unranked=["epochs"])
        self.assertIsInstance(result, Comparison)
        self.assertEqual([v.version for v in result.versions], ["v1", "v2"])
        self.assertEqual(result.as_dict(), {"accuracy": {"v1": 0.91, "v2": 0.95}, "epochs": {"v1": 10, "v2": 20}, "loss": {"v1": 0.30, "v2": 0.35}})
        self.assertEqual([v.version for v in result.best("accuracy")], ["v2"])
        self.assertEqual([v.version for v in result.best("loss")], ["v1"])
        self.assertEqual(result.best("epochs"), [])

    def test_keys_select_rows_and_versions_may_be_latest_or_another_model(self):
        other = unique("other")
        self.client.register_model(other, "s3://b/o", "v9", metadata={"accuracy": 0.99})
        result = self.client.compare(self.name, ["latest", (other, "v9")], keys=["accuracy"])
        self.assertEqual([(v.model_name, v.version) for v in result.versions], [(self.name, "v2"), (other, "v9")])
        self.assertEqual([r.key for r in result.rows], ["accuracy"])
        self.assertEqual(result.rows[0].direction, "HIGHER_IS_BETTER")


if __name__ == "__main__":
    unittest.main()
