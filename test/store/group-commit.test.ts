import { describe, expect, it } from "vitest";
import { AlreadyExistsError } from "../../src/registry/core/errors.js";
import { DIALECTS } from "../support/dialects.js";
import { ctx, modelInput, useRegistry } from "./contract-fixtures.js";
import { createModel, getModel, insertModel } from "../../src/registry/models/models.js";
import { unitOf } from "../../src/registry/shared/registry.js";

/**
 * Concurrent writes share transactions (group commit, src/store/kysely/group-commit.ts): to each
 * caller it must look as if the writes ran one by one. A failing write leaves nothing behind and
 * does not disturb the others; revisions stay gap-free and in commit order; a write's result is
 * durable (readable) when its promise resolves.
 */
for (const dialect of DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] group commit`, () => {
    const t = useRegistry(dialect);

    it("commits concurrent writes with gap-free revisions, publishing each write's events in order", async () => {
      const before = await unitOf(t.registry).read((r) => r.revision());
      const published = t.committed.length;
      const models = await Promise.all(Array.from({ length: 40 }, (_, i) => createModel(t.registry, modelInput(`grouped-${i}`), ctx)));
      const revisions = models.map((m) => m.revision).sort((a, b) => a - b);
      expect(revisions).toEqual(Array.from({ length: 40 }, (_, i) => before + 1 + i));
      expect(t.committed.slice(published).map((e) => e.revision)).toEqual(revisions);
      expect(await unitOf(t.registry).read((r) => r.revision())).toBe(before + 40);
    });

    it("rolls back only the failing writes of a group, after they wrote", async () => {
      const before = await unitOf(t.registry).read((r) => r.revision());
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          unitOf(t.registry).write(async (w) => {
            const model = await insertModel(t.registry, w, modelInput(`partial-${i}`), ctx);
            if (i % 3 === 1) throw new Error(`write ${i} fails after inserting`);
            return model;
          }),
        ),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      expect(ok).toHaveLength(20);
      for (let i = 0; i < 30; i++) {
        const found = await unitOf(t.registry).read((r) => r.getModelByDisplayName(`partial-${i}`));
        if (i % 3 === 1) {
          expect(found).toBeUndefined();
          expect((results[i] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
        } else {
          expect(found?.displayName).toBe(`partial-${i}`);
        }
      }
      const events = await unitOf(t.registry).read((r) => r.readEvents({ after: before, limit: 100 }));
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
    });

    it("gives concurrent writers of the same unique name one winner and ALREADY_EXISTS for the rest", async () => {
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => createModel(t.registry, modelInput("contended"), ctx)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(AlreadyExistsError);
    });

    it("makes a write readable as soon as its promise resolves", async () => {
      const writes = Array.from({ length: 10 }, (_, i) =>
        createModel(t.registry, modelInput(`visible-${i}`), ctx).then(async (m) => (await getModel(t.registry, { id: m.id })).id === m.id),
      );
      expect(await Promise.all(writes)).toEqual(Array(10).fill(true));
    });
  });
}
