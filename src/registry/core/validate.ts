import { InvalidArgumentError, type FieldViolation } from "./errors.js";
import type { ArtifactInput, ModelInput, VersionInput } from "./inputs.js";
import { NOT_UNICODE, textProblem, wellFormed } from "./text.js";
import type { Properties } from "./types.js";

/** Request limits. Exceeding one is INVALID_ARGUMENT naming the field and the limit. */
export const LIMITS = {
  name: 255,
  description: 4096,
  readme: 64 * 1024,
  uri: 2048,
  requestId: 128,
  labels: 64,
  labelKey: 63,
  labelValue: 255,
  properties: 256,
  propertyKey: 255,
  propertyValue: 64 * 1024,
  artifactsPerRegister: 16,
  /**
   * Deepest nesting of a Struct property value (objects and lists; the value itself is level 1).
   * Real ones are a few levels deep. Every binary reader of the value meets protobuf-es's recursion
   * limit of 100 messages at two messages per level (Struct or ListValue, then Value), so a value
   * much deeper than this, once stored, could no longer be listed over gRPC by anyone.
   */
  structDepth: 32,
} as const;

// C0/C1 controls other than tab/newline/CR, which descriptions may hold.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f]/;
const LABEL_KEY = /^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$/;

/** What jsonProblem found, and where (the keys from the value down to the offending part). */
export interface JsonProblem {
  /** "text": a string or key breaking the text rule (text.ts); `reason` says which part. */
  kind: "too-deep" | "text";
  description: string;
  reason: string;
  path: string[];
}

interface Pending {
  value: unknown;
  depth: number;
  key: string;
  parent: Pending | undefined;
}

/**
 * The first problem of a JSON value that is stored as it is (a Struct property, a REST body):
 * nesting deeper than maxDepth objects and lists (the value itself is level 1), or a key or a
 * string that breaks the text rule (text.ts: a NUL, which Postgres cannot store in jsonb or text
 * and SQLite could, or text that is not valid Unicode). Iterative, so no depth of input overflows
 * the stack.
 */
export function jsonProblem(value: unknown, maxDepth: number): JsonProblem | undefined {
  const pathOf = (at: Pending | undefined): string[] => {
    const keys: string[] = [];
    for (let p = at; p?.parent !== undefined; p = p.parent) keys.unshift(p.key);
    return keys;
  };
  const pending: Pending[] = [{ value, depth: 1, key: "", parent: undefined }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value === "string") {
      const problem = textProblem(next.value);
      if (problem) return { kind: "text", ...problem, path: pathOf(next) };
      continue;
    }
    if (typeof next.value !== "object" || next.value === null) continue;
    if (next.depth > maxDepth) {
      return {
        kind: "too-deep",
        description: `is nested deeper than the limit of ${maxDepth} levels`,
        reason: "REQUEST_TOO_DEEP",
        path: pathOf(next),
      };
    }
    for (const [key, child] of Object.entries(next.value)) {
      const problem = textProblem(key);
      if (problem) return { kind: "text", reason: problem.reason, description: `keys ${problem.description}`, path: pathOf(next) };
      pending.push({ value: child, depth: next.depth + 1, key, parent: next });
    }
  }
  return undefined;
}

/** Collects violations of one request, then throws them together. */
export class Violations {
  readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    const more = this.list.length > 1 ? ` (and ${this.list.length - 1} more)` : "";
    throw new InvalidArgumentError(`${first.field}: ${first.description}${more}`, this.list);
  }

  /** A required single-line identifier such as a display name or version string. */
  name(field: string, value: string): void {
    if (value.trim() === "") this.add(field, "is required");
    else if (value.length > LIMITS.name) this.add(field, `is longer than ${LIMITS.name} characters`);
    else if (CONTROL.test(value) || /[\n\r\t]/.test(value)) this.add(field, "must not contain control characters");
    else if (!wellFormed(value)) this.add(field, NOT_UNICODE);
    else if (value !== value.trim()) this.add(field, "must not start or end with white space");
  }

  /** An optional text of at most max characters. */
  text(field: string, value: string, max: number, multiline = true): void {
    if (value.length > max) this.add(field, `is longer than ${max} characters`);
    else if (CONTROL.test(value) || (!multiline && /[\n\r]/.test(value))) this.add(field, "must not contain control characters");
    else if (!wellFormed(value)) this.add(field, NOT_UNICODE);
  }

  uri(field: string, value: string, required: boolean): void {
    if (value === "") {
      if (required) this.add(field, "is required");
      return;
    }
    if (value.length > LIMITS.uri) this.add(field, `is longer than ${LIMITS.uri} characters`);
    else if (CONTROL_OR_SPACE.test(value)) this.add(field, "must not contain white space or control characters");
    else if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value) && !value.startsWith("/")) {
      this.add(field, "must be an absolute URI with a scheme (s3://…, gs://…, oci://…, https://…) or an absolute path");
    }
  }

  labels(field: string, labels: Record<string, string>): void {
    const entries = Object.entries(labels);
    if (entries.length > LIMITS.labels) this.add(field, `has more than ${LIMITS.labels} labels`);
    for (const [key, value] of entries) {
      if (key.length > LIMITS.labelKey || !LABEL_KEY.test(key)) {
        this.add(`${field}.${key}`, `label keys are lower-case [a-z0-9_.-], at most ${LIMITS.labelKey} characters`);
      }
      this.text(`${field}.${key}`, value, LIMITS.labelValue, false);
    }
  }

  properties(field: string, props: Properties): void {
    const entries = Object.entries(props);
    if (entries.length > LIMITS.properties) this.add(field, `has more than ${LIMITS.properties} properties`);
    for (const [key, value] of entries) {
      const at = `${field}.${key}`;
      if (key === "" || key.length > LIMITS.propertyKey) this.add(field, `property keys are 1 to ${LIMITS.propertyKey} characters`);
      else if (CONTROL_OR_SPACE.test(key)) this.add(at, "property keys must not contain white space or control characters");
      if (value.type === "double" && !Number.isFinite(value.value)) this.add(at, "double values must be finite");
      if (value.type === "int" && (value.value > 2n ** 63n - 1n || value.value < -(2n ** 63n))) this.add(at, "int values are int64");
      if (value.type === "string" && value.value.length > LIMITS.propertyValue) {
        this.add(at, `is longer than ${LIMITS.propertyValue} characters`);
      }
      const text = value.type === "string" ? textProblem(value.value) : undefined;
      if (text) this.add(at, text.description);
      if (value.type === "struct") {
        // Checked before the size: JSON.stringify of a value nested thousands deep overflows the stack.
        const problem = jsonProblem(value.value, LIMITS.structDepth);
        if (problem !== undefined) this.add(at, problem.description);
        else if (JSON.stringify(value.value).length > LIMITS.propertyValue) this.add(at, `is larger than ${LIMITS.propertyValue} bytes as JSON`);
      }
    }
  }

  model(prefix: string, m: ModelInput): void {
    this.name(`${prefix}.display_name`, m.displayName);
    this.text(`${prefix}.description`, m.description, LIMITS.description);
    this.text(`${prefix}.owner`, m.owner, LIMITS.name, false);
    this.text(`${prefix}.readme`, m.readme, LIMITS.readme);
    this.labels(`${prefix}.labels`, m.labels);
    this.properties(`${prefix}.custom_properties`, m.customProperties);
  }

  version(prefix: string, v: VersionInput): void {
    this.name(`${prefix}.version`, v.version);
    if (v.version === "latest" || v.version.startsWith("@") || v.version.includes("/")) {
      this.add(`${prefix}.version`, `"latest", a leading "@" and "/" are reserved for lookups`);
    }
    this.text(`${prefix}.description`, v.description, LIMITS.description);
    this.text(`${prefix}.author`, v.author, LIMITS.name, false);
    this.properties(`${prefix}.custom_properties`, v.customProperties);
  }

  /**
   * An artifact's fields. `uri` says how its uri is checked: "uri" (an absolute URI or path, the
   * registry's rule on input), "text" (Kubeflow's free string: at most LIMITS.uri characters,
   * no control characters, see kubeflow/use-cases.ts) or "skip" (a stored value an update leaves
   * unchanged: stored values are never re-validated).
   */
  artifact(prefix: string, a: ArtifactInput, uri: "uri" | "text" | "skip" = "uri"): void {
    this.text(`${prefix}.display_name`, a.displayName, LIMITS.name, false);
    this.text(`${prefix}.description`, a.description, LIMITS.description);
    if (uri === "uri") this.uri(`${prefix}.uri`, a.uri, true);
    else if (uri === "text") this.text(`${prefix}.uri`, a.uri, LIMITS.uri, false);
    for (const [field, value] of [
      ["model_format_name", a.modelFormatName],
      ["model_format_version", a.modelFormatVersion],
      ["storage_key", a.storageKey],
      ["service_account_name", a.serviceAccountName],
      ["digest", a.digest],
    ] as const) {
      this.text(`${prefix}.${field}`, value, LIMITS.name, false);
    }
    this.text(`${prefix}.storage_path`, a.storagePath, LIMITS.uri, false);
    this.properties(`${prefix}.custom_properties`, a.customProperties);
  }
}
