import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import type { JsonObject, Properties } from "../../src/registry/core/types.js";
import { jsonProblem, LIMITS, Violations } from "../../src/registry/core/validate.js";
import { nestedObject } from "../security/hostile-input.js";

function propertyViolations(props: Properties) {
  const v = new Violations();
  v.properties("custom_properties", props);
  try {
    v.throwIfAny();
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as InvalidArgumentError).violations;
  }
}

describe("custom property validation", () => {
  it(`accepts a Struct value nested ${LIMITS.structDepth} levels and refuses one level more, naming the limit`, () => {
    expect(propertyViolations({ ok: { type: "struct", value: nestedObject(LIMITS.structDepth) } })).toEqual([]);
    expect(propertyViolations({ deep: { type: "struct", value: nestedObject(LIMITS.structDepth + 1) } })).toEqual([
      { field: "custom_properties.deep", description: `is nested deeper than the limit of ${LIMITS.structDepth} levels` },
    ]);
  });

  it("counts lists as levels too", () => {
    let value: unknown = 1;
    for (let i = 0; i < LIMITS.structDepth; i++) value = [value];
    expect(propertyViolations({ lists: { type: "struct", value: { l: value } as JsonObject } })).toHaveLength(1);
  });

  it("refuses a Struct nested far beyond the stack without overflowing it", () => {
    const text = `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`;
    const violations = propertyViolations({ huge: { type: "struct", value: JSON.parse(text) as JsonObject } });
    expect(violations.map((v) => v.field)).toEqual(["custom_properties.huge"]);
  });

  it("refuses NUL in string values and in Struct keys and strings", () => {
    expect(propertyViolations({ s: { type: "string", value: "a\u0000b" } })).toHaveLength(1);
    expect(propertyViolations({ k: { type: "struct", value: { "a\u0000": 1 } } })).toHaveLength(1);
    expect(propertyViolations({ v: { type: "struct", value: { a: ["x", "\u0000"] } } })).toHaveLength(1);
    expect(propertyViolations({ fine: { type: "string", value: "tab\tand\nnewline" } })).toEqual([]);
  });

  it("refuses unpaired surrogates in names, texts, string values and Struct values", () => {
    expect(propertyViolations({ s: { type: "string", value: "a\ud800" } })).toHaveLength(1);
    expect(propertyViolations({ v: { type: "struct", value: { a: ["\udc00"] } } })).toHaveLength(1);
    expect(propertyViolations({ fine: { type: "string", value: "pair 😀" } })).toEqual([]);
  });
});

describe("jsonProblem", () => {
  it("names the path to the first problem", () => {
    expect(jsonProblem({ a: { b: ["x", "y\u0000"] } }, 10)).toEqual({
      kind: "text",
      description: "must not contain NUL characters (U+0000)",
      reason: "INVALID_CHARACTER",
      path: ["a", "b", "1"],
    });
    expect(jsonProblem({ a: { "k\ud800": 1 } }, 10)).toMatchObject({ kind: "text", reason: "INVALID_UNICODE", path: ["a"] });
    expect(jsonProblem({ a: { b: {} } }, 2)).toMatchObject({ kind: "too-deep", path: ["a", "b"] });
    expect(jsonProblem({ a: { b: 1 } }, 2)).toBeUndefined();
  });
});
