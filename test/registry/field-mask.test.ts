import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import { applyMask, type MaskSpec } from "../../src/registry/core/field-mask.js";

interface Thing {
  title: string;
  state: "A" | "B" | undefined;
  tags: Record<string, string>;
}
const spec: MaskSpec<Thing> = { fields: { title: "title", state: "state", tags: "tags" }, maps: ["tags"] };
const current: Thing = { title: "old", state: "A", tags: { a: "1", b: "2" } };

describe("update masks", () => {
  it("updates only the named fields", () => {
    expect(applyMask(current, { title: "new", state: "B", tags: {} }, ["title"], spec)).toEqual({ ...current, title: "new" });
  });

  it("takes every non-default field when there is no mask", () => {
    expect(applyMask(current, { title: "", state: "B", tags: {} }, null, spec)).toEqual({ ...current, state: "B" });
  });

  it("replaces everything with *, clearing maps and keeping an unspecified enum", () => {
    expect(applyMask(current, { title: "t", state: undefined, tags: {} }, ["*"], spec)).toEqual({ title: "t", state: "A", tags: {} });
  });

  it("sets and removes single map entries through key paths", () => {
    expect(applyMask(current, { title: "", state: undefined, tags: { a: "9" } }, ["tags.a", "tags.b"], spec).tags).toEqual({ a: "9" });
  });

  it("rejects unknown paths, * with other paths, and an explicitly named unset enum", () => {
    for (const mask of [["nope"], ["*", "title"], ["state"], ["tags."], ["title.x"]]) {
      expect(() => applyMask(current, { title: "", state: undefined, tags: {} }, mask, spec)).toThrow(InvalidArgumentError);
    }
  });

  it("does not modify the current object", () => {
    applyMask(current, { title: "x", state: "B", tags: { z: "1" } }, ["*"], spec);
    expect(current).toEqual({ title: "old", state: "A", tags: { a: "1", b: "2" } });
  });
});
