import type { RecordUpsert } from "../../registry/kubeflow/use-cases.js";
import type { ArtifactInput } from "../../registry/core/inputs.js";
import type { ExtrasPatch } from "../../registry/kubeflow/extras.js";
import { RECORD_ARTIFACT_KINDS, type RecordKind } from "../../registry/core/record-types.js";
import type { ArtifactState, JsonObject } from "../../registry/core/types.js";
import { checkShape, str } from "../shared/body.js";
import { enumIn, extrasPatchOf, idIn, maskOf, namedIn, optionalEnumIn, type Parsed, propertiesIn, timeIn } from "../shared/convert.js";
import { ARTIFACT_SHAPES } from "../shared/shapes.js";
import { MODEL_ARTIFACT_EXTRA_FIELDS } from "./artifact-json.js";
import type { RecordInput } from "../../registry/kubeflow/records.js";

/**
 * Artifact request bodies of every Kubeflow artifact type: the type comes from `artifactType`,
 * the fields from that type's schema (create, update, or the full Artifact of an upsert).
 */

export const ARTIFACT_TYPES = ["model-artifact", ...RECORD_ARTIFACT_KINDS] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

/** An artifact body of any type: a model artifact (the registry's) or a record (the gateway's), its id if any, and its fields. */
export type ArtifactUpsert =
  | { kind: "model-artifact"; id: number | undefined; input: ArtifactInput; mask: string[]; extras: ExtrasPatch }
  | RecordUpsert;

const ARTIFACT_STATES: readonly ArtifactState[] = ["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"];
const PARAMETER_TYPES = ["string", "number", "boolean", "object"] as const;

/** The fields of each record kind beyond the common ones (kept in KubeflowRecord.fields). */
const RECORD_FIELDS: Record<RecordKind, readonly string[]> = {
  "doc-artifact": [],
  "dataset-artifact": ["digest", "sourceType", "source", "schema", "profile"],
  metric: ["value", "timestamp", "step"],
  parameter: ["value", "parameterType"],
  "serve-model": [],
};

/** The artifactType of a body (model-artifact when absent, as ModelArtifactCreate's default). */
export function artifactTypeOf(body: Record<string, unknown>, fallback: ArtifactType = "model-artifact"): ArtifactType {
  return body.artifactType === undefined || body.artifactType === null ? fallback : enumIn(body.artifactType, "artifactType", ARTIFACT_TYPES);
}

function parseModelArtifact(body: Record<string, unknown>): Parsed<ArtifactInput> {
  for (const f of ["experimentId", "experimentRunId"]) if (body[f] !== undefined) idIn(body[f], f);
  return {
    input: {
      ...namedIn(body),
      uri: str(body, "uri") ?? "",
      modelFormatName: str(body, "modelFormatName") ?? "",
      modelFormatVersion: str(body, "modelFormatVersion") ?? "",
      storageKey: str(body, "storageKey") ?? "",
      storagePath: str(body, "storagePath") ?? "",
      serviceAccountName: str(body, "serviceAccountName") ?? "",
      state: optionalEnumIn(body, "state", ARTIFACT_STATES),
      digest: "",
      customProperties: propertiesIn(body.customProperties),
    },
    mask: maskOf(body, {
      name: "display_name",
      description: "description",
      uri: "uri",
      modelFormatName: "model_format_name",
      modelFormatVersion: "model_format_version",
      storageKey: "storage_key",
      storagePath: "storage_path",
      serviceAccountName: "service_account_name",
      state: "state",
      customProperties: "custom_properties",
    }),
    extras: extrasPatchOf(body, MODEL_ARTIFACT_EXTRA_FIELDS),
  };
}

function parseRecord(kind: RecordKind, body: Record<string, unknown>): Parsed<RecordInput> {
  for (const f of ["experimentId", "experimentRunId"]) if (body[f] !== undefined) idIn(body[f], f);
  if (body.timestamp !== undefined) timeIn(body.timestamp, "timestamp");
  if (body.parameterType !== undefined) enumIn(body.parameterType, "parameterType", PARAMETER_TYPES);
  const own = RECORD_FIELDS[kind];
  const fields: JsonObject = Object.fromEntries(own.filter((f) => body[f] !== undefined).map((f) => [f, body[f] as JsonObject[string]]));
  return {
    input: {
      ...namedIn(body),
      uri: str(body, "uri") ?? "",
      state: optionalEnumIn(body, "state", ARTIFACT_STATES),
      fields,
      customProperties: propertiesIn(body.customProperties),
    },
    mask: [
      ...maskOf(body, { name: "display_name", description: "description", uri: "uri", state: "state", customProperties: "custom_properties" }),
      ...own.filter((f) => body[f] !== undefined).map((f) => `fields.${f}`),
    ],
    extras: extrasPatchOf(body, ["experimentId", "experimentRunId"]),
  };
}

/** An artifact body of any type, checked against that type's schema (create, update or full). */
export function parseArtifact(body: Record<string, unknown>, type: ArtifactType, form: "create" | "update" | "full"): ArtifactUpsert {
  const checked = checkShape(body, ARTIFACT_SHAPES[type]![form], type);
  const id = form === "full" && checked.id !== undefined ? idIn(checked.id, "id") : undefined;
  if (type === "model-artifact") return { kind: type, id, ...parseModelArtifact(checked) };
  return { kind: type, id, ...parseRecord(type, checked) };
}
