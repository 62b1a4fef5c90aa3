"""Aliases: set, compare-and-set, promote one alias to another, delete, and read through @alias."""

import unittest

from support import server_url, unique

from model_registry import Aborted, Alias, ModelRegistryClient, NotFound


class AliasTest(unittest.TestCase):
    def setUp(self):
        self.client = ModelRegistryClient(server_url(), author="release-manager")
        self.name = unique("aliased")
        for v in ("v1", "v2"):
            self.client.register_model(self.name, f"s3://b/{v}", v)

    def tearDown(self):
        self.client.close()

    def test_set_alias_points_at_a_version_readable_as_at_alias(self):
        alias = self.client.set_alias(self.name, "production", "v1")
        self.assertIsInstance(alias, Alias)
        self.assertEqual((alias.alias, alias.version, alias.previous_model_version), ("production", "v1", ""))
        v = self.client.get_model_version(self.name, "@production")
        self.assertEqual((v.version, v.aliases, v.uri), ("v1", ["production"], "s3://b/v1"))

    def test_moving_an_alias_returns_where_it_was_for_rollback(self):
        first = self.client.set_alias(self.name, "production", "v1")
        moved = self.client.set_alias(self.name, "production", "v2", expected_version="v1", reason="better recall")
        self.assertEqual((moved.version, moved.previous_model_version), ("v2", first.model_version))
        events = list(self.client.list_events(name=self.name, types=["ALIAS_SET"]))
        self.assertEqual([(e.resource.version, e.actor, e.reason) for e in events], [("v1", "release-manager", ""), ("v2", "release-manager", "better recall")])

    def test_compare_and_set_with_a_stale_expectation_is_aborted(self):
        self.client.set_alias(self.name, "production", "v2")
        with self.assertRaises(Aborted) as cm:
            self.client.set_alias(self.name, "production", "v1", expected_version="v1")
        self.assertEqual(cm.exception.reason, "ALIAS_CHANGED")
        with self.assertRaises(Aborted):
            self.client.set_alias(self.name, "production", "v1", expected_version="")
        self.assertEqual(self.client.get_model_version(self.name, "@production").version, "v2")

    def test_promotes_one_alias_to_another_and_to_latest(self):
        self.client.set_alias(self.name, "staging", "v1")
        self.assertEqual(self.client.set_alias(self.name, "production", "@staging").version, "v1")
        self.assertEqual(self.client.set_alias(self.name, "canary", "latest").version, "v2")

    def test_the_full_model_list_carries_each_models_latest_version_and_aliases(self):
        self.client.set_alias(self.name, "production", "v1")
        self.client.set_alias(self.name, "staging", "v2")
        [full] = self.client.list_registered_models(filter=f'name = "{self.name}"', full=True)
        self.assertEqual((full.latest_version.version, full.latest_version.aliases), ("v2", ["staging"]))
        self.assertEqual(full.aliases, {"production": "v1", "staging": "v2"})
        [basic] = self.client.list_registered_models(filter=f'name = "{self.name}"')
        self.assertEqual((basic.latest_version, basic.aliases), (None, {}))

    def test_delete_alias_removes_it(self):
        self.client.set_alias(self.name, "production", "v1")
        removed = self.client.delete_alias(self.name, "production", expected_version="v1")
        self.assertEqual(removed.version, "v1")
        with self.assertRaises(NotFound):
            self.client.get_model_version(self.name, "@production")


if __name__ == "__main__":
    unittest.main()
