import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { seedVersions } from "../support/seed.js";
import { PROTOCOLS, startTestServer, type TestServer } from "../support/server.js";
import { insertModel } from "../../src/registry/models/models.js";
import { unitOf } from "../../src/registry/shared/registry.js";

/**
 * page_size (AIP-158): 0 gives the default of 50, anything above the maximum of 1000 is capped
 * at 1000. Checked with more rows than the maximum (seeded straight through the registry), so
 * a missing cap would show.
 */

const ROWS = 1100;

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] page size`, () => {
    let server: TestServer;
    let parent: string;
    let names: string[];
    beforeAll(async () => {
      server = await startTestServer(dialect);
      const seeded = await seedVersions(server.app.registry, "page-size", ROWS);
      parent = seeded.parent;
      names = [...seeded.names];
      // ROWS more models besides the seeded one: more than one maximal page of them too.
      const { registry } = server.app;
      await unitOf(registry).write(async (w) => {
        for (let i = 0; i < ROWS; i++) {
          const input = { displayName: `model-${i}`, description: "", owner: "", state: undefined, labels: {}, customProperties: {}, readme: "" };
          await insertModel(registry, w, input, { actor: "seed" });
        }
      });
    }, 60_000);
    afterAll(() => server?.close());

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        const client = () => server.client(protocol);

        it("returns the first 50 items and a next page token when page_size is 0", async () => {
          const page = await client().listModelVersions({ parent, pageSize: 0 });
          expect(page.modelVersions.map((v) => v.name)).toEqual(names.slice(0, 50));
          expect(page.nextPageToken).not.toBe("");
        });

        it("caps a page_size above 1000 at 1000 and pages on to the rest", async () => {
          for (const pageSize of [1001, 5000]) {
            const first = await client().listModelVersions({ parent, pageSize });
            expect(first.modelVersions.map((v) => v.name)).toEqual(names.slice(0, 1000));
            expect(first.nextPageToken).not.toBe("");
            const rest = await client().listModelVersions({ parent, pageSize, pageToken: first.nextPageToken });
            expect(rest.modelVersions.map((v) => v.name)).toEqual(names.slice(1000));
            expect(rest.nextPageToken).toBe("");
          }
        });

        it("applies the same default and cap to registered models", async () => {
          expect((await client().listRegisteredModels({ pageSize: 0 })).registeredModels).toHaveLength(50);
          const capped = await client().listRegisteredModels({ pageSize: 5000 });
          expect(capped.registeredModels).toHaveLength(1000);
          expect(capped.nextPageToken).not.toBe("");
        });
      });
    }
  });
}
