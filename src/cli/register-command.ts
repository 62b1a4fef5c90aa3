import type { MetadataValue } from "../../gen/modelregistry/v1/resources_pb.js";
import { ModelVersionSchema } from "../../gen/modelregistry/v1/resources_pb.js";
import { type CliContext, CliUsageError, type ParsedArgs, positionals } from "./cli-context.js";
import { json } from "./format.js";

export const REGISTER_USAGE = `usage:
  model-registry register MODEL --version VERSION --uri URI [--format NAME] [--format-version V]
                          [--description TEXT] [--owner NAME] [--author NAME]
                          [--storage-key KEY] [--storage-path PATH]
                          [--metadata KEY=VALUE]... [--metadata-json '{"key": value}']
                          [--request-id ID]

Creates the model when it does not exist, then the version and its artifact, in one transaction.
--metadata values are typed: 10 is an int, 0.95 a double, true/false a bool, JSON objects and
lists a struct, anything else a string ("quote" it in JSON to force a string: KEY='"10"').
--request-id makes retries idempotent (use the pipeline run id).

flags:
  --version VERSION       the version string, e.g. v2 (required)
  --uri URI               where the model's files are, e.g. s3://bucket/path/model.onnx (required)
  --format NAME           model format, e.g. onnx, sklearn, pytorch
  --format-version V      version of the format, e.g. 1.14
  --description TEXT      of the version
  --owner NAME            owner of the model, when this creates it
  --author NAME           author of the version (default: the actor)
  --storage-key KEY       name of the storage credentials (KServe's storage key)
  --storage-path PATH     path within that storage
  --metadata KEY=VALUE    a custom property of the version (repeatable)
  --metadata-json JSON    custom properties as one JSON object
  --request-id ID         makes retries idempotent
`;

export const REGISTER_OPTIONS = {
  version: { type: "string" },
  uri: { type: "string" },
  format: { type: "string" },
  "format-version": { type: "string" },
  description: { type: "string" },
  owner: { type: "string" },
  author: { type: "string" },
  "storage-key": { type: "string" },
  "storage-path": { type: "string" },
  metadata: { type: "string", multiple: true },
  "metadata-json": { type: "string" },
  "request-id": { type: "string" },
} as const;

/** `model-registry register MODEL ...`: RegisterModel from the command line. */
export async function registerCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [model] = positionals(args, ["model"], REGISTER_USAGE);
  const flag = (name: string) => (args.values[name] as string | undefined) ?? "";
  if (!flag("version")) throw new CliUsageError("--version is required", REGISTER_USAGE);
  if (!flag("uri")) throw new CliUsageError("--uri is required", REGISTER_USAGE);
  const customProperties = parseMetadata((args.values.metadata as string[] | undefined) ?? [], flag("metadata-json"));
  const res = await ctx.client.registerModel({
    requestId: flag("request-id"),
    registeredModel: { displayName: model!, owner: flag("owner") },
    modelVersion: { version: flag("version"), description: flag("description"), author: flag("author") || ctx.actor, customProperties },
    modelArtifacts: [
      {
        uri: flag("uri"),
        modelFormatName: flag("format"),
        modelFormatVersion: flag("format-version"),
        storageKey: flag("storage-key"),
        storagePath: flag("storage-path"),
      },
    ],
  });
  const v = res.modelVersion!;
  if (ctx.json) return ctx.printJson(json(ModelVersionSchema, v));
  const created = res.registeredModelCreated ? " (new model)" : "";
  ctx.print(`registered ${v.registeredModelDisplayName} ${v.version}${created}: ${v.name}`);
}

type Kind = MetadataValue["kind"];

/** --metadata KEY=VALUE pairs and --metadata-json as typed custom properties. */
export function parseMetadata(pairs: string[], jsonText: string): Record<string, { kind: Kind }> {
  const out: Record<string, { kind: Kind }> = {};
  if (jsonText) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(jsonText);
    } catch {
      throw new CliUsageError("--metadata-json is not valid JSON");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new CliUsageError("--metadata-json must be a JSON object");
    for (const [k, v] of Object.entries(parsed)) {
      // JSON.parse has already rounded integers beyond 2^53: refuse them rather than store a wrong value.
      if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)) {
        throw new CliUsageError(`metadata ${k}: ${v} is beyond 2^53 in JSON; use --metadata ${k}=<digits> for an exact int64`);
      }
      out[k] = { kind: kindOf(k, v, JSON.stringify(v)) };
    }
  }
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliUsageError(`--metadata needs KEY=VALUE, got "${pair}"`);
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: a plain string.
    }
    out[key] = { kind: kindOf(key, value, text) };
  }
  return out;
}

/** int when written without a fraction or exponent, double otherwise; lists wrapped as {"$list": [...]}. */
function kindOf(key: string, value: unknown, text: string): Kind {
  if (typeof value === "boolean") return { case: "boolValue", value };
  if (typeof value === "number") {
    if (/^-?\d+$/.test(text.trim())) {
      const big = BigInt(text.trim());
      if (big < -(2n ** 63n) || big >= 2n ** 63n) throw new CliUsageError(`metadata ${key}: ${text} does not fit in int64`);
      return { case: "intValue", value: big };
    }
    return { case: "doubleValue", value };
  }
  if (typeof value === "string") return { case: "stringValue", value };
  if (Array.isArray(value)) return { case: "structValue", value: { $list: value } };
  if (value && typeof value === "object") return { case: "structValue", value: value as Record<string, never> };
  throw new CliUsageError(`metadata ${key}: null is not a value`);
}
