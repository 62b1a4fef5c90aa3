import { describe, expect, it } from "vitest";
import type { FilterExpr, FilterSchema } from "../../src/registry/filter/ast.js";
import { type FilterLimits, parseFilter } from "../../src/registry/filter/parser.js";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import { worstLegalFilter } from "../support/worst-filter.js";

/** Shaped like the registered model schema. */
const schema: FilterSchema = {
  attributes: {
    name: { name: "display_name", type: "string" },
    display_name: { name: "display_name", type: "string" },
    description: { name: "description", type: "string" },
    owner: { name: "owner", type: "string" },
    state: { name: "state", type: "enum", values: ["LIVE", "ARCHIVED"] },
    create_time: { name: "create_time", type: "time" },
    update_time: { name: "update_time", type: "time" },
    id: { name: "id", type: "int" },
  },
  labels: true,
};

const parse = (text: string, limits?: FilterLimits) => parseFilter(text, schema, limits);
const prop = (key: string, valueType: "string" | "int" | "double" | "bool" | null = null) => ({ kind: "property", key, valueType }) as const;
const int = (value: number | bigint) => ({ kind: "int", value: BigInt(value) }) as const;
const str = (value: string) => ({ kind: "string", value }) as const;
const cmp = (field: object, op: string, value: object) => ({ kind: "cmp", field, op, value });

/** The InvalidArgumentError a parse throws, for assertions on message and reason. */
function parseError(text: string): InvalidArgumentError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

describe("parseFilter", () => {
  it("returns null for empty and blank filters", () => {
    expect(parse("")).toBeNull();
    expect(parse(" \t\n")).toBeNull();
  });

  it("binds AND tighter than OR", () => {
    expect(parse("a = 1 OR b = 2 AND c = 3")).toEqual({
      kind: "or",
      items: [cmp(prop("a"), "=", int(1)), { kind: "and", items: [cmp(prop("b"), "=", int(2)), cmp(prop("c"), "=", int(3))] }],
    });
  });

  it("lets parentheses override precedence", () => {
    const expr = parse("(a = 1 OR b = 2) AND c = 3") as FilterExpr & { kind: "and" };
    expect(expr.kind).toBe("and");
    expect(expr.items[0]?.kind).toBe("or");
  });

  it("flattens chains and nested groups of the same connective", () => {
    const expr = parse("a = 1 AND (b = 2 AND c = 3) AND d = 4") as FilterExpr & { kind: "and" };
    expect(expr.items.map((i) => (i.kind === "cmp" && i.field.kind === "property" ? i.field.key : i.kind))).toEqual(["a", "b", "c", "d"]);
  });

  it("parses NOT as a prefix that nests", () => {
    expect(parse("NOT NOT a = 1")).toEqual({ kind: "not", expr: { kind: "not", expr: cmp(prop("a"), "=", int(1)) } });
  });

  it.each([
    ["=", "="],
    ["!=", "!="],
    ["<>", "!="],
    ["<", "<"],
    ["<=", "<="],
    [">", ">"],
    [">=", ">="],
  ])("parses the %s operator", (written, op) => {
    expect(parse(`name ${written} 'x'`)).toEqual(cmp({ kind: "attr", name: "display_name", type: "string" }, op, str("x")));
  });

  it("parses LIKE and ILIKE with string patterns", () => {
    expect(parse("name LIKE 'a%'")).toMatchObject({ op: "LIKE", value: str("a%") });
    expect(parse("labels.team ilike '_x%'")).toMatchObject({ op: "ILIKE", field: { kind: "label", key: "team" } });
  });

  it("parses IN lists", () => {
    expect(parse("labels.team IN ('a', \"b\")")).toEqual({ kind: "in", field: { kind: "label", key: "team" }, values: [str("a"), str("b")] });
    expect(parse("id in (1,2,3)")).toMatchObject({ kind: "in", values: [int(1), int(2), int(3)] });
  });

  it("parses IS NULL and IS NOT NULL", () => {
    expect(parse("accuracy IS NULL")).toEqual({ kind: "null", field: prop("accuracy"), negated: false });
    expect(parse("owner is not null")).toEqual({ kind: "null", field: { kind: "attr", name: "owner", type: "string" }, negated: true });
  });

  it("accepts keywords in any case", () => {
    expect(parse("a = tRuE aNd NoT b iS nOt NuLl oR c LiKe 'x' OR d In (FaLsE)")).toMatchObject({ kind: "or" });
  });

  it("reads literals: quoting, escapes, signs, doubles and booleans", () => {
    expect(parse(`a = 'it\\'s "q"'`)).toMatchObject({ value: str(`it's "q"`) });
    expect(parse(`a = "say \\"hi\\"\\n\\t\\\\ \\u00e9"`)).toMatchObject({ value: str('say "hi"\n\t\\ é') });
    expect(parse("a = -42")).toMatchObject({ value: int(-42) });
    expect(parse("a = +7")).toMatchObject({ value: int(7) });
    expect(parse("a = 9223372036854775807")).toMatchObject({ value: int(9223372036854775807n) });
    expect(parse("a = 1.5")).toMatchObject({ value: { kind: "double", value: 1.5 } });
    expect(parse("a = -2e3")).toMatchObject({ value: { kind: "double", value: -2000 } });
    expect(parse("a = .5")).toMatchObject({ value: { kind: "double", value: 0.5 } });
    expect(parse("a = FALSE")).toMatchObject({ value: { kind: "bool", value: false } });
  });

  it("resolves attributes case-insensitively and everything else to properties", () => {
    expect(parse("NAME = 'x'")).toMatchObject({ field: { kind: "attr", name: "display_name" } });
    expect(parse("accuracy > 0.5")).toMatchObject({ field: prop("accuracy") });
    expect(parse("custom_properties.Accuracy > 0.5")).toMatchObject({ field: prop("Accuracy") });
    expect(parse("`name` = 'x'")).toMatchObject({ field: prop("name") });
    expect(parse("labels.Team-Name = 'x'")).toMatchObject({ field: { kind: "label", key: "Team-Name" } });
  });

  it("treats Object.prototype names as plain keys", () => {
    expect(parse("__proto__ = 1")).toMatchObject({ field: prop("__proto__") });
    expect(parse("constructor IS NULL")).toMatchObject({ field: prop("constructor") });
    expect(() => parse("a.constructor = 1")).toThrow("filter: unknown field 'a.constructor' at 0");
  });

  it("reads backtick-quoted keys with dots", () => {
    expect(parse("`my.key` = 'v'")).toMatchObject({ field: prop("my.key") });
    expect(parse("custom_properties.`a.b c` = 'v'")).toMatchObject({ field: prop("a.b c") });
    expect(parse("labels.`app.kubernetes.io/name` = 'v'")).toMatchObject({ field: { kind: "label", key: "app.kubernetes.io/name" } });
  });

  it("reads typed property suffixes", () => {
    expect(parse("accuracy.double_value > 0.9")).toMatchObject({ field: prop("accuracy", "double") });
    expect(parse("custom_properties.accuracy.double_value > 1")).toMatchObject({
      field: prop("accuracy", "double"),
      value: { kind: "double", value: 1 },
    });
    expect(parse("`my.key`.string_value = 'x'")).toMatchObject({ field: prop("my.key", "string") });
    expect(parse("epochs.INT_VALUE = 3")).toMatchObject({ field: prop("epochs", "int"), value: int(3) });
    expect(parse("ok.bool_value = true")).toMatchObject({ field: prop("ok", "bool"), value: { kind: "bool", value: true } });
    expect(parse("name.string_value = 'x'")).toMatchObject({ field: prop("name", "string") });
    expect(parse("custom_properties.int_value = 1")).toMatchObject({ field: prop("int_value") });
    expect(parse("labels.bool_value = 'x'")).toMatchObject({ field: { kind: "label", key: "bool_value" } });
  });

  it("converts RFC 3339 times to epoch millis and keeps int times", () => {
    expect(parse("create_time > '2024-01-02T03:04:05.678Z'")).toMatchObject({ value: int(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) });
    expect(parse("create_time > '2024-01-02T03:04:05+02:00'")).toMatchObject({ value: int(Date.UTC(2024, 0, 2, 1, 4, 5)) });
    expect(parse("update_time <= 1700000000000")).toMatchObject({ value: int(1700000000000) });
  });

  it("normalises enum values, with or without a STATE_ prefix", () => {
    expect(parse("state = 'live'")).toMatchObject({ value: str("LIVE") });
    expect(parse("state != 'STATE_ARCHIVED'")).toMatchObject({ op: "!=", value: str("ARCHIVED") });
    expect(parse("state IN ('Live', 'state_archived')")).toMatchObject({ values: [str("LIVE"), str("ARCHIVED")] });
  });

  it.each([
    ["(a = 1 OR b = 22))", "filter: unexpected ')' at 17"],
    ["(a = 1", "filter: unexpected end of filter at 6"],
    ["a = 'abc", "filter: unterminated string at 4"],
    ["`abc = 1", "filter: unterminated quoted key at 0"],
    ["a = 'x\\q'", "filter: invalid escape '\\q' at 6"],
    ["a = 1 # b", "filter: unexpected '#' at 6"],
    ["labels = 'x'", "filter: unknown field 'labels' at 0: name a key, as in labels.my_key"],
    ["custom_properties IS NULL", "filter: unknown field 'custom_properties' at 0: name a key, as in custom_properties.my_key"],
    ["a.b = 1", "filter: unknown field 'a.b' at 0: quote keys containing dots with backticks, as in `a.b`"],
    ["a = NULL", "filter: unexpected NULL at 4: use IS NULL or IS NOT NULL"],
    ["a IN ()", "filter: unexpected ')' at 6"],
    ["a = 99999999999999999999", "filter: integer out of range at 4"],
    ["a = 1e999", "filter: number out of range at 4"],
    ["a = 12abc", "filter: invalid number at 4"],
    ["a. = 1", "filter: expected a key after '.' at 2"],
    ["state = 'gone'", "filter: field 'state' needs one of 'LIVE', 'ARCHIVED' at 8"],
    ["state > 'LIVE'", "filter: field 'state' supports only = and != (not >) at 8"],
    ["name = 1", "filter: field 'name' needs a string value at 7"],
    ["id = '1'", "filter: field 'id' needs an integer value at 5"],
    ["create_time > 'yesterday'", "filter: field 'create_time' needs an RFC 3339 time such as 2024-01-02T03:04:05Z at 14"],
    ["create_time > '2023-02-29T00:00:00Z'", "filter: field 'create_time' needs an RFC 3339 time such as 2024-01-02T03:04:05Z at 14"],
    ["id LIKE 'x'", "filter: field 'id' LIKE needs a string field at 8"],
    ["a LIKE 1", "filter: field 'a' LIKE needs a string pattern at 7"],
    ["a.int_value LIKE 'x'", "filter: field 'a.int_value' LIKE needs a string property at 17"],
    ["labels.team = 1", "filter: field 'labels.team' needs a string value at 14"],
    ["labels.team.string_value = 'x'", "filter: labels have no typed values at 12"],
    ["a.bool_value = 1", "filter: field 'a.bool_value' needs TRUE or FALSE at 15"],
    ["a.double_value = 'x'", "filter: field 'a.double_value' needs a number value at 17"],
    ["a > TRUE", "filter: field 'a' > needs a number or string value at 4"],
    ["a = 1 b = 2", "filter: unexpected 'b' at 6"],
    ["AND a = 1", "filter: unexpected AND at 0"],
  ])("rejects %s", (text, message) => {
    const error = parseError(text);
    expect(error.message).toBe(message);
    expect(error.reason).toBe("INVALID_FILTER");
    expect(error.violations).toEqual([{ field: "filter", description: message.slice("filter: ".length) }]);
  });

  it("rejects labels on a schema without them", () => {
    expect(() => parseFilter("labels.a = 'x'", { ...schema, labels: false })).toThrow("filter: unknown field 'labels' at 0");
  });

  it("limits the length", () => {
    const text = `a = '${"x".repeat(100)}'`;
    expect(() => parse(text, { maxLength: 50 })).toThrow(InvalidArgumentError);
    expect(() => parse(text, { maxLength: 50 })).toThrow("limit of 50 characters");
    expect(() => parse(`a = '${"x".repeat(5000)}'`)).toThrow("limit of 4096 characters (filter-length)");
    expect(parse(text, { maxLength: 200 })).not.toBeNull();
  });

  it("limits the nesting depth with reason FILTER_TOO_COMPLEX", () => {
    const nested = (n: number) => `${"(".repeat(n)}a = 1${")".repeat(n)}`;
    expect(parse(nested(31))).not.toBeNull();
    const error = limitError(nested(32));
    expect(error.message).toContain("limit of 32");
    expect(error.metadata).toEqual({ limit: "filter-depth", value: "32" });
    expect(() => parse(`${"NOT ".repeat(5)}a = 1`, { maxDepth: 5 })).toThrow(InvalidArgumentError);
  });

  it("reports a stack overflow as too complex even with a huge depth limit", () => {
    const n = 200_000;
    const text = `${"(".repeat(n)}a = 1${")".repeat(n)}`;
    expect(() => parse(text, { maxLength: Number.POSITIVE_INFINITY, maxDepth: Number.POSITIVE_INFINITY })).toThrow(/FILTER_TOO_COMPLEX|filter-depth/);
  });

  it("limits comparisons on custom properties and labels to 20, wherever they are in the tree", () => {
    const terms = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => `${field(i)} > 0`);
    expect(parse(terms(20, (i) => `p${i}`).join(" AND "))).not.toBeNull();
    const error = limitError(terms(21, (i) => `p${i}`).join(" AND "));
    expect(error.message).toMatch(/limit of 20 comparisons on custom properties, labels or aliases \(filter-property-comparisons\)/);
    expect(error.metadata).toEqual({ limit: "filter-property-comparisons", value: "20" });
    // OR, NOT, labels and typed references count alike; the same key twice counts twice.
    const mixed = [...terms(10, () => "labels.a"), ...terms(10, (i) => `NOT custom_properties.p${i}.int_value`)].join(" OR ");
    expect(parse(mixed.replace(/labels\.a > 0/g, "labels.a = 'x'"))).not.toBeNull();
    expect(limitError(`${mixed.replace(/labels\.a > 0/g, "labels.a = 'x'")} OR p IS NULL`).reason).toBe("FILTER_TOO_COMPLEX");
    // Built-in columns cost no subquery and do not count.
    expect(parse(terms(200, () => "id").join(" OR "))).not.toBeNull();
  });

  it("counts attributes held in another table (a version's alias) as property comparisons", () => {
    const related: FilterSchema = { ...schema, attributes: { ...schema.attributes, alias: { name: "alias", type: "string", related: true } } };
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `alias = 'a${i}'`).join(" OR ");
    expect(parseFilter(aliases(20), related)).not.toBeNull();
    expect(() => parseFilter(aliases(21), related)).toThrow(/filter-property-comparisons/);
  });

  it("limits an IN list to 100 values", () => {
    const list = (n: number) => `id IN (${Array.from({ length: n }, (_, i) => i).join(", ")})`;
    expect(parse(list(100))).toMatchObject({ kind: "in", values: expect.any(Array) });
    const error = limitError(list(101));
    expect(error.message).toMatch(/IN list with more than the limit of 100 values \(filter-in-values\)/);
    expect(error.metadata).toEqual({ limit: "filter-in-values", value: "100" });
    expect(() => parse(list(5), { maxInValues: 4 })).toThrow(/limit of 4 values/);
  });

  it("accepts the worst legal filter and refuses it one step over each limit", () => {
    expect(parse(worstLegalFilter())).not.toBeNull();
    expect(worstLegalFilter().length).toBeLessThan(4096);
    expect(limitError(worstLegalFilter({ over: "comparisons" })).metadata.limit).toBe("filter-property-comparisons");
    expect(limitError(worstLegalFilter({ over: "in" })).metadata.limit).toBe("filter-in-values");
    expect(limitError(worstLegalFilter({ over: "depth" })).metadata.limit).toBe("filter-depth");
  });
});

/** The FILTER_TOO_COMPLEX refusal a parse throws. */
function limitError(text: string): InvalidArgumentError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof InvalidArgumentError && error.reason === "FILTER_TOO_COMPLEX") return error;
    throw error;
  }
  throw new Error(`parsed: ${text}`);
}

describe("parseFilter with hints (the native API; never the Kubeflow gateway)", () => {
  const hinted = (text: string) => parseFilter(text, schema, { hints: true });
  const hintError = (text: string): string => {
    try {
      hinted(text);
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        expect(error.reason).toBe("INVALID_FILTER");
        return error.message;
      }
      throw error;
    }
    throw new Error(`expected '${text}' to be rejected`);
  };

  it("refuses a bare name one typo from a built-in field, naming the field and the property spelling", () => {
    expect(hintError("stat = 'LIVE'")).toBe(
      "filter: unknown field 'stat' at 0: did you mean state? (a custom property of that name is custom_properties.stat)",
    );
    expect(hintError("id = 1 AND owenr = 'risk'")).toMatch(/^filter: unknown field 'owenr' at 11: did you mean owner\? /);
    expect(hintError("descripton LIKE 'x%'")).toMatch(/did you mean description\?/);
    expect(hintError("updateTime > 0")).toMatch(/did you mean update_time\?/);
    expect(hintError("NOT (STAT = 'LIVE')")).toMatch(/unknown field 'STAT' at 5: did you mean state\?/);
  });

  it("reads the same names as custom properties without hints (the Kubeflow gateway answers them with an empty page)", () => {
    expect(parse("stat = 'LIVE'")).toEqual(cmp(prop("stat"), "=", str("LIVE")));
    expect(parse("owenr = 'risk'")).toEqual(cmp(prop("owenr"), "=", str("risk")));
  });

  it("keeps a name far from every built-in field, a short one, or one a letter replaced, a custom-property filter", () => {
    for (const name of ["accuracy", "acuracy", "stage", "ip", "ids", "states_seen", "owners_team"]) {
      expect(hinted(`${name} = 'x'`), name).toEqual(cmp(prop(name), "=", str("x")));
    }
  });

  it("takes a typo-like name as the property it names when written as one", () => {
    expect(hinted("custom_properties.stat = 'LIVE'")).toEqual(cmp(prop("stat"), "=", str("LIVE")));
    expect(hinted("`stat` = 'LIVE'")).toEqual(cmp(prop("stat"), "=", str("LIVE")));
    expect(hinted("stat.string_value = 'LIVE'")).toEqual(cmp(prop("stat", "string"), "=", str("LIVE")));
  });

  it("answers an unquoted word where a value belongs with the quoted form", () => {
    expect(hintError("name = fraud-detector")).toBe("filter: unexpected 'fraud-detector' at 7; quote strings: name = 'fraud-detector'");
    expect(hintError("state != ARCHIVED")).toBe("filter: unexpected 'ARCHIVED' at 9; quote strings: state != 'ARCHIVED'");
    expect(hintError("owner LIKE risk")).toBe("filter: unexpected 'risk' at 11; quote strings: owner LIKE 'risk'");
    expect(hintError("name IN ('a', b)")).toBe("filter: unexpected 'b' at 14; quote strings: name IN (…, 'b', …)");
    expect(parseError("name = fraud-detector").message).toBe("filter: unexpected 'fraud-detector' at 7");
  });

  it("parses whatever parses without hints to the same tree, but for the refused typos", () => {
    for (const text of [
      "name = 'a' AND labels.team = 'x'",
      "accuracy > 0.9",
      "state = 'LIVE' OR owner IS NULL",
      "id IN (1, 2)",
      "create_time > '2024-01-01T00:00:00Z'",
    ]) {
      expect(hinted(text), text).toEqual(parse(text));
    }
  });
});

describe("parseFilter on random input", () => {
  /** mulberry32: a tiny seeded PRNG so that failures reproduce. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const TOKENS = [
    "AND",
    "or",
    "Not",
    "IN",
    "is",
    "NULL",
    "like",
    "ILIKE",
    "true",
    "FALSE",
    "(",
    ")",
    ",",
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    ".",
    "`",
    "'",
    '"',
    "\\",
    "name",
    "state",
    "create_time",
    "id",
    "owner",
    "labels",
    "labels.team",
    "custom_properties",
    "custom_properties.acc",
    "acc",
    "acc.double_value",
    "a.constructor",
    "__proto__",
    "toString",
    "labels.__proto__",
    "x.int_value",
    "`my.key`",
    "`a`.string_value",
    ".bool_value",
    "labels.`k.v`",
    "'LIVE'",
    "'state_archived'",
    "'2024-01-02T03:04:05Z'",
    "'x\\u00e9\\n'",
    '"q\\""',
    "'%a_'",
    "0",
    "-1",
    "+2",
    "1.5",
    "-3e2",
    ".5",
    "9223372036854775808",
    "1e400",
    "12ab",
    " ",
    " ",
    " ",
    "\t",
    "\n",
  ];

  it("either parses or throws a filter error, for 5000 seeded random strings, with and without hints", () => {
    const random = prng(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    let parsed = 0;
    for (let n = 0; n < 5000; n++) {
      let text = "";
      const length = Math.floor(random() * 24);
      for (let k = 0; k < length; k++) {
        const r = random();
        if (r < 0.8) text += pick(TOKENS);
        else if (r < 0.9) text += String.fromCharCode(Math.floor(random() * 128));
        else if (r < 0.97) text += String.fromCharCode(Math.floor(random() * 0x10000));
        else text += pick(["(", "NOT "]).repeat(Math.floor(random() * 40));
        if (random() < 0.6) text += " ";
      }
      for (const hints of [false, true]) {
        try {
          parseFilter(text, schema, { hints });
          if (!hints) parsed++;
        } catch (error) {
          if (!(error instanceof InvalidArgumentError)) throw new Error(`unexpected ${String(error)} for ${JSON.stringify(text)}`);
          if (error.reason !== "FILTER_TOO_COMPLEX") expect(error.message).toMatch(/ at \d+/);
        }
      }
    }
    // The generator should exercise the success path too, not only errors.
    expect(parsed).toBeGreaterThan(50);
  });
});
