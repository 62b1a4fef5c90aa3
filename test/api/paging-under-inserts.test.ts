import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Properties } from "../../src/registry/core/types.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { seedVersions } from "../support/seed.js";
import { startTestServer, type TestServer } from "../support/server.js";

/**
 * Keyset paging is stable while the list grows: paging through thousands of versions, 7 at a
 * time, while another client keeps registering versions, sees every pre-existing version exactly
 * once and no version twice, whether the new versions sort after the cursor (the default
 * create_time order) or anywhere around it (ordering by a property some versions lack).
 */

/** A double custom property as the client sends it. */
type DoubleValue = { kind: { case: "doubleValue"; value: number } };

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] paging while another client inserts`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    /**
     * Pages through the parent's versions with one client while another registers new ones until
     * the paging ends; returns every name seen, in order, and how many versions were added meanwhile.
     */
    async function pageWhileInserting(parent: string, orderBy: string, props: (n: number) => Record<string, DoubleValue> = () => ({})) {
      const reader = server.client("connect-json-h1");
      const writer = server.client("grpc");
      let done = false;
      let inserted = 0;
      const writing = (async () => {
        while (!done) {
          await writer.createModelVersion({ parent, modelVersion: { version: `new-${inserted}`, customProperties: props(inserted) } });
          inserted++;
        }
      })();
      const seen: string[] = [];
      try {
        let pageToken = "";
        do {
          const page = await reader.listModelVersions({ parent, pageSize: 7, pageToken, orderBy });
          expect(page.modelVersions.length).toBeLessThanOrEqual(7);
          seen.push(...page.modelVersions.map((v) => v.name));
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
      } finally {
        done = true;
        await writing;
      }
      return { seen, inserted };
    }

    function expectEachOnce(seen: string[], preexisting: Set<string>, inserted: number) {
      expect(inserted, "the other client registered versions during the paging").toBeGreaterThan(0);
      const distinct = new Set(seen);
      expect(distinct.size, "no version is seen twice").toBe(seen.length);
      const missing = [...preexisting].filter((name) => !distinct.has(name));
      expect(missing, "every pre-existing version is seen").toEqual([]);
    }

    it("sees each of 10 000 versions exactly once, 7 a page, in create_time order", async () => {
      const { parent, names } = await seedVersions(server.app.registry, "paging-10k", 10_000);
      const { seen, inserted } = await pageWhileInserting(parent, "");
      expectEachOnce(seen, names, inserted);
      expect(seen.length).toBeGreaterThanOrEqual(10_000);
    }, 180_000);

    it("sees each version exactly once when new versions sort before, between and after the cursor", async () => {
      // Ranks 0..1499 for most versions, none for every tenth (those sort last); new versions get
      // ranks spread over the same range, or none.
      const rank = (i: number): Properties => (i % 10 === 0 ? {} : { rank: { type: "int", value: BigInt((i * 7919) % 1500) } });
      const { parent, names } = await seedVersions(server.app.registry, "paging-by-rank", 1500, rank);
      const { seen, inserted } = await pageWhileInserting(
        parent,
        "custom_properties.rank desc",
        (n): Record<string, DoubleValue> => (n % 3 === 0 ? {} : { rank: { kind: { case: "doubleValue", value: ((n * 104729) % 1500) + 0.5 } } }),
      );
      expectEachOnce(seen, names, inserted);
    }, 60_000);
  });
}
