import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import { VERSION_LIST } from "../../src/registry/shared/list-specs.js";
import { parseOrderBy } from "../../src/registry/shared/order-by.js";

describe("order_by", () => {
  it("parses fields, directions and custom properties", () => {
    expect(parseOrderBy("update_time desc, name", VERSION_LIST.sort)).toEqual([
      { kind: "column", column: "update_time", desc: true },
      { kind: "column", column: "version", desc: false },
    ]);
    expect(parseOrderBy("custom_properties.accuracy DESC", VERSION_LIST.sort)).toEqual([{ kind: "property", key: "accuracy", desc: true }]);
    expect(parseOrderBy("custom_properties.`metrics.f1, macro` asc", VERSION_LIST.sort)).toEqual([
      { kind: "property", key: "metrics.f1, macro", desc: false },
    ]);
  });

  it("rejects unknown fields instead of ignoring them", () => {
    for (const bad of ["colour", "name sideways", "custom_properties.", ",", "name,,id", "x".repeat(2000)]) {
      expect(() => parseOrderBy(bad, VERSION_LIST.sort)).toThrow(InvalidArgumentError);
    }
  });
});
