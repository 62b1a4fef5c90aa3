import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPERATIONS, SPEC } from "./support/openapi.js";

/** The suite in test/rest is written from the OpenAPI document: it must exercise every operation in it. */
describe("Kubeflow REST suite coverage of the OpenAPI document", () => {
  const dir = new URL("./", import.meta.url);
  const called = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".test.ts"))) {
    for (const m of readFileSync(new URL(file, dir), "utf8").matchAll(/\.(?:call|ok|fails)\(\s*"(\w+)"/g)) called.add(m[1]!);
  }

  it("is the v1alpha3 document", () => {
    expect(SPEC.info.version).toBe("v1alpha3");
    expect(OPERATIONS.size).toBeGreaterThan(50);
  });

  it("calls every operation of the document through its operationId", () => {
    const missing = [...OPERATIONS.keys()].filter((id) => !called.has(id));
    expect(missing).toEqual([]);
  });

  it("calls no operation the document does not have", () => {
    expect([...called].filter((id) => !OPERATIONS.has(id))).toEqual([]);
  });
});
