"""Lists page transparently, honour filter and order_by, and stay complete across pages."""

import unittest

from support import server_url, unique

from model_registry import InvalidArgument, ModelRegistryClient


class PagingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = ModelRegistryClient(server_url(), author="pager")
        cls.name = unique("paged")
        for i in range(7):
            cls.client.register_model(cls.name, f"s3://b/{cls.name}/{i}", f"v{i}", metadata={"accuracy": 0.5 + i / 100, "rank": i})

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def test_iterates_every_version_over_several_pages_in_creation_order(self):
        versions = [v.version for v in self.client.list_model_versions(self.name, page_size=3)]
        self.assertEqual(versions, [f"v{i}" for i in range(7)])

    def test_every_listed_version_carries_its_uri(self):
        uris = [v.uri for v in self.client.list_model_versions(self.name, page_size=2)]
        self.assertEqual(uris, [f"s3://b/{self.name}/{i}" for i in range(7)])

    def test_orders_by_a_metric_descending(self):
        versions = self.client.list_model_versions(self.name, order_by="custom_properties.accuracy desc", page_size=2, with_artifacts=False)
        self.assertEqual([v.version for v in versions], [f"v{i}" for i in reversed(range(7))])

    def test_filters_on_typed_metadata(self):
        versions = self.client.list_model_versions(self.name, filter="rank >= 4 AND accuracy < 0.56", with_artifacts=False)
        self.assertEqual([v.version for v in versions], ["v4", "v5"])

    def test_list_is_lazy_and_can_stop_early(self):
        it = self.client.list_model_versions(self.name, page_size=2, with_artifacts=False)
        self.assertEqual(next(it).version, "v0")
        self.assertEqual(next(it).version, "v1")

    def test_lists_registered_models_with_a_filter(self):
        models = list(self.client.list_registered_models(filter=f'name = "{self.name}"', page_size=1))
        self.assertEqual([m.name for m in models], [self.name])

    def test_pages_registered_models_without_losing_any(self):
        prefix = unique("many")
        for i in range(5):
            self.client.register_model(f"{prefix}-{i}", "s3://b/m", "v1")
        names = [m.name for m in self.client.list_registered_models(filter=f'name LIKE "{prefix}-%"', order_by="display_name desc", page_size=2)]
        self.assertEqual(names, [f"{prefix}-{i}" for i in reversed(range(5))])

    def test_a_bad_filter_is_invalid_argument(self):
        with self.assertRaises(InvalidArgument) as cm:
            list(self.client.list_model_versions(self.name, filter="accuracy >"))
        self.assertIn("filter", cm.exception.message)


if __name__ == "__main__":
    unittest.main()
