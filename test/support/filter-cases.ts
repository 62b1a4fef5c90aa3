import type { MetadataValue, Properties } from "../../src/registry/core/types.js";

/**
 * One case table for the filter language: the SQL compiler (test/store/filter-compiler.test.ts)
 * and the in-memory evaluator (test/registry/filter-evaluate.test.ts, which also runs every case
 * through the real store on each engine and asks both to agree) are proven against the same
 * filters over the same models.
 */

const dbl = (value: number): MetadataValue => ({ type: "double", value });
const int = (value: bigint): MetadataValue => ({ type: "int", value });
const str = (value: string): MetadataValue => ({ type: "string", value });
const bool = (value: boolean): MetadataValue => ({ type: "bool", value });

/** The four models every case runs against; model n has id n wherever ids can be chosen. */
export const FILTER_MODELS: Array<{
  displayName: string;
  description: string;
  owner: string;
  state: "LIVE" | "ARCHIVED";
  created: string;
  labels: Record<string, string>;
  props: Properties;
}> = [
  {
    displayName: "alpha",
    description: "first model",
    owner: "alice",
    state: "LIVE",
    created: "2024-01-01T00:00:00Z",
    labels: { team: "ml", env: "prod" },
    props: { accuracy: dbl(0.95), epochs: int(10n), framework: str("torch"), deployed: bool(true), big: int(9007199254740993n) },
  },
  {
    displayName: "Beta",
    description: "second",
    owner: "bob",
    state: "ARCHIVED",
    created: "2024-02-01T00:00:00Z",
    labels: { team: "infra" },
    props: { accuracy: dbl(10), epochs: int(20n), framework: str("TensorFlow"), deployed: bool(false) },
  },
  {
    displayName: "gamma",
    description: "",
    owner: "",
    state: "LIVE",
    created: "2024-03-01T00:00:00Z",
    labels: { team: "ml-ops" },
    props: { accuracy: int(10n), framework: str("10"), "my.key": str("dotted") },
  },
  {
    displayName: "delta",
    description: "fourth",
    owner: "alice",
    state: "LIVE",
    created: "2024-04-01T00:00:00Z",
    labels: {},
    props: { config: { type: "struct", value: {} } },
  },
];

/** filter -> the models (their 1-based positions in FILTER_MODELS) it selects, on every engine and in memory. */
export const FILTER_CASES: [string, number[]][] = [
  // untyped numbers match ints and doubles alike
  ["accuracy = 10", [2, 3]],
  ["accuracy = 10.0", [2, 3]],
  ["accuracy > 0.9", [1, 2, 3]],
  ["accuracy IN (10, 0.95)", [1, 2, 3]],
  ["epochs < 15", [1]],
  ["epochs != 10", [2]],
  ["epochs IN (10, 20)", [1, 2]],
  // an IN list mixing kinds of literals tests each kind against its own column
  ["framework IN ('10', 10, 'torch', TRUE)", [1, 3]],
  ["deployed IN (FALSE, 'x', 3.5)", [2]],
  ["accuracy IN ('x', 10, 0.95)", [1, 2, 3]],
  ["epochs.int_value IN (20, 30)", [2]],
  ["big = 9007199254740993", [1]],
  ["big = 9007199254740992", []],
  // typed suffixes restrict the stored type
  ["accuracy.double_value > 0.9", [1, 2]],
  ["accuracy.int_value = 10", [3]],
  ["custom_properties.accuracy.double_value >= 10", [2]],
  ["accuracy.string_value IS NOT NULL", []],
  // strings never equal numbers
  ["framework = '10'", [3]],
  ["framework = 10", []],
  ["framework LIKE '%orch'", [1]],
  ["framework ILIKE 'tensor%'", [2]],
  ["`my.key` = 'dotted'", [3]],
  ["`my.key`.string_value = 'dotted'", [3]],
  // booleans
  ["deployed = TRUE", [1]],
  ["deployed.bool_value = false", [2]],
  ["deployed != TRUE", [2]],
  // missing properties
  ["accuracy IS NULL", [4]],
  ["accuracy IS NOT NULL", [1, 2, 3]],
  ["accuracy.double_value IS NULL", [3, 4]],
  ["config IS NOT NULL", [4]],
  ["NOT epochs = 10", [2, 3, 4]],
  // labels
  ["labels.team = 'ml'", [1]],
  ["labels.team LIKE 'ml%'", [1, 3]],
  ["labels.team != 'ml'", [2, 3]],
  ["labels.env IS NULL", [2, 3, 4]],
  ["labels.env IS NOT NULL", [1]],
  ["labels.team IN ('ml', 'infra')", [1, 2]],
  // attributes
  ["name = 'alpha'", [1]],
  ["name LIKE 'al%'", [1]],
  ["name ILIKE 'b%'", [2]],
  ["state = 'archived'", [2]],
  ["state != 'STATE_LIVE'", [2]],
  ["state IN ('LIVE')", [1, 3, 4]],
  ["owner IS NULL", [3]],
  ["description IS NOT NULL", [1, 2, 4]],
  ["id IN (1, 3)", [1, 3]],
  ["id > 2", [3, 4]],
  ["name = 'x\\' OR 1=1 --'", []],
  // times
  ["create_time >= '2024-02-01T00:00:00Z'", [2, 3, 4]],
  ["create_time < '2024-02-01T01:00:00+02:00'", [1]],
  ["create_time = 1704067200000", [1]],
  // nesting
  ["owner = 'alice' OR owner = 'bob' AND state = 'LIVE'", [1, 4]],
  ["(labels.team = 'ml' OR owner = 'bob') AND NOT state = 'ARCHIVED'", [1]],
  ["NOT (accuracy > 5 OR framework = 'torch')", [4]],
  ["NOT (NOT labels.team LIKE 'ml%' AND epochs IS NULL)", [1, 2, 3]],
  // LIKE details: case-sensitive, `_` is one character, regex characters are literal
  ["name LIKE 'AL%'", []],
  ["name ILIKE 'AL%'", [1]],
  ["name LIKE '_lpha'", [1]],
  ["name LIKE 'alpha_'", []],
  ["description LIKE '%.%'", []],
  ["description LIKE 'first model'", [1]],
  ["framework LIKE '1_'", [3]],
  ["framework LIKE '%'", [1, 2, 3]],
  // ordering on strings is by code point
  ["labels.team >= 'ml'", [1, 3]],
  ["framework > 'T'", [1, 2]],
  ["name < 'b'", [1, 2]],
  ["NOT owner = 'alice'", [2, 3]],
  ["epochs >= 10.5", [2]],
  ["accuracy < 10", [1]],
  ["deployed IS NOT NULL AND NOT deployed = TRUE", [2]],
];
