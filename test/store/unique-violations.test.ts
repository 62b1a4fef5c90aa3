import { describe, expect, it } from "vitest";
import { AlreadyExistsError } from "../../src/registry/core/errors.js";
import { interpretStoreError } from "../../src/registry/shared/store-errors.js";
import { DIALECTS } from "../support/dialects.js";
import { useRegistry } from "./contract-fixtures.js";

/**
 * A unique violation is ALREADY_EXISTS only when it is classified (DESIGN.md §6): each engine names
 * the constraint the same way (SQLite reports columns, which sqlite.ts maps onto the migrations'
 * names), and store-errors.ts gives it a meaning. Unclassified, it is INTERNAL at every edge.
 */
for (const dialect of DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] unique violations`, () => {
    const t = useRegistry(dialect);

    it("classifies an external id held twice within a resource type as EXTERNAL_ID_EXISTS, behind the gateway's own check", async () => {
      const extras = (resourceId: number) => ({ resourceId, resourceType: "RegisteredModel", externalId: "twice", fields: {} });
      const failed = await t.store
        .write(async (w) => {
          await w.rest.putExtras(extras(1001));
          await w.rest.putExtras(extras(1002));
        })
        .then(
          () => expect.fail("the second external id was accepted"),
          (error: unknown) => interpretStoreError(error),
        );
      expect(failed).toBeInstanceOf(AlreadyExistsError);
      expect(failed).toMatchObject({ reason: "EXTERNAL_ID_EXISTS" });
    });
  });
}
