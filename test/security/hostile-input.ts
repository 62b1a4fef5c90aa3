/** Hostile input shared by the adversarial and limit suites (RPC, REST, registry). */

/** Strings that would do damage if anything built SQL (or a LIKE pattern) from them. */
export const SQLISH = [
  "x'; DROP TABLE registered_models; --",
  "' OR '1'='1",
  '" OR ""="',
  "1; DELETE FROM events WHERE 1=1",
  "%' AND 1=1 --",
  "_%\\",
  "$1 $$ ? :name",
  "/* comment */ UNION SELECT * FROM meta --",
  "Robert'); DROP TABLE students;--",
];

/** Names whose bytes differ in ways that must be kept exactly. */
export const UNICODE = [
  "🤖-model-🚀",
  "نموذج-الاحتيال",
  "模型-检测",
  "Cafe\u0301", // e + combining acute (NFD)
  "Café", // precomposed (NFC): a different name
  "zero\u200Bwidth",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢-𝟙𝟚𝟛",
  "right\u202Eto-left",
];

/** Escapes a string for a '...' filter literal. */
export const literal = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** A JSON object nested `levels` deep: { a: { a: … { leaf: true } } }. */
export function nestedObject(levels: number): { [key: string]: any } {
  let value: { [key: string]: any } = { leaf: true };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}
