import { randomUUID } from "node:crypto";
import type { StoreWriter } from "../store/store.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "./errors.js";
import type { AttrType } from "./filter/ast.js";
import { tokenize } from "./filter/lexer.js";
import type { ArtifactInput } from "./inputs.js";
import { type ExtrasPatch, patchesExtras, writeExtras } from "./kubeflow-extras.js";
import { byDisplayName, FIRST_MATCHES, RECORD_LIST, SERVE_LIST } from "./kubeflow-lists.js";
import type { Extras } from "./kubeflow-types.js";
import { ARTIFACT_LIST, type ListSpec } from "./list-specs.js";
import { artifactNameOf, versionName } from "./names.js";
import { applyArtifactMask, type Registry } from "./registry.js";
import type { CallContext, ModelArtifact, ModelVersion } from "./types.js";
import { Violations } from "./validate.js";

/**
 * Kubeflow's laxer rules, for the Kubeflow REST gateway (src/rest) and nothing else: the native
 * API keeps the registry's rules on input, and reads back whatever these rules stored unchanged.
 *
 * - An artifact's uri is a free string: Kubeflow types it `string` and stores what it is given
 *   (its own client tests register "uri", "s3" and "test uri"). Here: at most 2048 characters,
 *   no control characters.
 * - An artifact created without a name gets a UUID, as Kubeflow's server generates one (its
 *   Python client needs a name to convert a response).
 * - A model artifact may be created standalone (`POST /model_artifacts`): it belongs to no
 *   version and is named `artifacts/{id}`. Upserting it under a version by its id links it, once,
 *   keeping its id; the link is one UPDATED event (STATE_CHANGED if the same call moves its
 *   state) named by the new name, whose `previous` is the artifact as `artifacts/{id}`.
 * - filterQuery spells fields Kubeflow's way: camelCase names of built-in fields map to the
 *   filter language's (experimentRunId, registeredModelId, createTimeSinceEpoch, …), and an id
 *   may be quoted (`registeredModelId IN ('1')`), as Kubeflow's server compares it with an int.
 */

// ---- names and uris ----

/** The input with a generated name (a UUID) when it has none: what a Kubeflow create stores. */
export function namedForCreate<T extends { displayName: string }>(input: T): T {
  return input.displayName === "" ? { ...input, displayName: randomUUID() } : input;
}

/** Checks a model artifact with Kubeflow's free-string uri (a uri the change leaves alone is not checked again). */
function checkArtifact(next: ArtifactInput, current?: ModelArtifact): void {
  const v = new Violations();
  v.artifact("model_artifact", next, current !== undefined && current.uri === next.uri ? "skip" : "text");
  v.throwIfAny();
}

// ---- model artifacts: standalone, linked, patched ----

/** A model artifact as a Kubeflow body gives it: the fields, the ones it names (mask), its extras. */
export interface KubeflowArtifactWrite {
  input: ArtifactInput;
  mask: string[];
  extras: ExtrasPatch;
}

export interface KubeflowArtifactResult {
  artifact: ModelArtifact;
  extras: Extras | undefined;
  created: boolean;
}

async function insert(registry: Registry, w: StoreWriter, version: ModelVersion | null, write: KubeflowArtifactWrite, ctx: CallContext) {
  const input = namedForCreate(write.input);
  checkArtifact(input);
  const artifact = await registry.insertArtifact(w, version, input, ctx);
  return { artifact, extras: await writeExtras(w, "ModelArtifact", artifact.id, write.extras), created: true };
}

/**
 * Changes a model artifact: the fields of the mask, and its version when `link` is given. A
 * change of only Kubeflow-only fields (extras) still bumps update_time with an UPDATED event, so
 * every change reaches the change stream; a write that names nothing records nothing.
 */
async function change(registry: Registry, w: StoreWriter, current: ModelArtifact, link: ModelVersion | null, write: KubeflowArtifactWrite, ctx: CallContext) {
  let artifact = current;
  if (write.mask.length > 0 || patchesExtras(write.extras) || link !== null) {
    const next = applyArtifactMask(current, write);
    checkArtifact(next, current);
    if (link) Object.assign(next, { versionId: link.id, modelId: link.modelId });
    artifact = await registry.writeArtifactChange(w, current, next, ctx);
  }
  return { artifact, extras: await writeExtras(w, "ModelArtifact", artifact.id, write.extras), created: false };
}

/** Creates a model artifact linked to no version (`POST /model_artifacts`): `artifacts/{id}` until linked. */
export function createStandaloneArtifact(registry: Registry, write: KubeflowArtifactWrite, ctx: CallContext): Promise<KubeflowArtifactResult> {
  return registry.write((w) => insert(registry, w, null, write, ctx));
}

/** Patches a model artifact by its id, linked or not (`PATCH /model_artifacts/{id}`, `PATCH /artifacts/{id}`). */
export function patchModelArtifact(registry: Registry, id: number, write: KubeflowArtifactWrite, ctx: CallContext): Promise<KubeflowArtifactResult> {
  return registry.write(async (w) => {
    const current = await w.getArtifact(id);
    if (!current) throw new NotFoundError(`model artifact ${id}`);
    return change(registry, w, current, null, write, ctx);
  });
}

/**
 * `POST /model_versions/{id}/artifacts` for a model artifact, in one transaction: with an id, that
 * artifact is linked to the version if it is linked to none (an artifact is linked once: one of
 * another version is FAILED_PRECONDITION, ARTIFACT_ALREADY_LINKED), and takes the body's fields;
 * else the version's artifact of that name is updated; else a new one is created under it.
 */
export function upsertVersionArtifact(
  registry: Registry,
  versionId: number,
  write: KubeflowArtifactWrite & { id: number | undefined },
  ctx: CallContext,
): Promise<KubeflowArtifactResult> {
  return registry.write(async (w) => {
    const version = await w.getVersion(versionId);
    if (!version) throw new NotFoundError(`model version ${versionId}`);
    let existing: ModelArtifact | undefined;
    if (write.id !== undefined) {
      existing = await w.getArtifact(write.id);
      if (!existing) throw new NotFoundError(`model artifact ${write.id}`);
      if (existing.versionId !== null && existing.versionId !== version.id) {
        throw new FailedPreconditionError(
          `model artifact ${write.id} is ${artifactNameOf(existing)}: an artifact is linked to one model version, once, and cannot move to ${versionName(version.modelId, version.id)}`,
          "ARTIFACT_ALREADY_LINKED",
        );
      }
    } else if (write.input.displayName !== "") {
      existing = (await w.listArtifacts({ versionId: version.id }, { ...FIRST_MATCHES, filter: byDisplayName(write.input.displayName) })).items[0];
    }
    if (!existing) return insert(registry, w, version, write, ctx);
    return change(registry, w, existing, existing.versionId === null ? version : null, write, ctx);
  });
}

// ---- filterQuery ----

/** Held in rest_artifact_runs (ARTIFACT_RUN_RELATED in the store): each comparison is a subquery. */
const RUN_ATTRIBUTES = {
  experiment_id: { name: "experiment_id", type: "int" as const, related: true },
  experiment_run_id: { name: "experiment_run_id", type: "int" as const, related: true },
};
const withRuns = (spec: ListSpec): ListSpec => ({ ...spec, filter: { ...spec.filter, attributes: { ...spec.filter.attributes, ...RUN_ATTRIBUTES } } });

/** Model artifacts as the gateway lists them: experimentId and experimentRunId select on the artifact's run. */
export const KUBEFLOW_ARTIFACT_LIST: ListSpec = withRuns(ARTIFACT_LIST);
/** Doc, dataset, metric and parameter artifacts, likewise. */
export const KUBEFLOW_RECORD_LIST: ListSpec = withRuns(RECORD_LIST);
/** ServeModels: their inference service, its environment and model; modelVersionId is kept unindexed. */
export const KUBEFLOW_SERVE_LIST: ListSpec = {
  ...SERVE_LIST,
  filter: {
    ...SERVE_LIST.filter,
    attributes: {
      ...SERVE_LIST.filter.attributes,
      inference_service_id: { name: "inference_service_id", type: "int" },
      serving_environment_id: { name: "serving_environment_id", type: "int" },
      registered_model_id: { name: "registered_model_id", type: "int" },
    },
    unsupported: { modelversionid: "cannot be filtered on: a ServeModel's modelVersionId is not indexed; list the inference service's serves instead" },
  },
};

/** Kubeflow's spellings of built-in fields in filterQuery where camelCase-to-snake_case is not enough. */
const FILTER_NAMES: Record<string, string> = {
  createtimesinceepoch: "create_time",
  lastupdatetimesinceepoch: "update_time",
  starttimesinceepoch: "start_time",
  endtimesinceepoch: "end_time",
};

const QUOTED_ID = /^-?[0-9]{1,19}$/;

/**
 * Rewrites a Kubeflow filterQuery into the filter language: a bare word naming a built-in field
 * of the resource in camelCase (`registeredModelId`, `experimentRunId`, `createTimeSinceEpoch`)
 * becomes its snake_case name, and a quoted integer compared with an integer field becomes the
 * integer (`registeredModelId IN ('1')`, `experimentRunId = "5"`). Everything else (bare custom
 * property names, `.double_value` suffixes, backtick-quoted keys, `<>`) the filter language
 * reads as Kubeflow does. `names` holds a resource's own spellings (a run's `owner` is its
 * author). Positions in error messages refer to the rewritten text.
 */
export function translateKubeflowFilter(text: string, spec: ListSpec, names: Record<string, string> = {}): string {
  if (text.trim() === "") return "";
  const tokens = tokenize(text);
  const replaced = new Map<number, string>();
  let intField = false;
  for (const [i, token] of tokens.entries()) {
    if (token.kind === "path") {
      intField = false;
      if (token.segments.length !== 1 || token.segments[0]!.quoted) continue;
      const word = token.segments[0]!.text;
      const lower = word.toLowerCase();
      if (lower === "externalid") {
        throw InvalidArgumentError.field("filterQuery", "externalId cannot be filtered on; find by externalId with the find endpoint", "INVALID_FILTER");
      }
      const snake = word.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
      const mapped = names[word] ?? names[lower] ?? FILTER_NAMES[lower] ?? (snake !== lower && Object.hasOwn(spec.filter.attributes, snake) ? snake : undefined);
      if (mapped !== undefined) replaced.set(i, mapped);
      intField = attributeType(spec, mapped ?? lower) === "int";
    } else if (token.kind === "string" && intField && QUOTED_ID.test(token.value)) {
      replaced.set(i, token.value);
    } else if (token.kind === "keyword" && token.keyword !== "IN") {
      intField = false;
    }
  }
  let out = "";
  let at = 0;
  for (const [i, token] of tokens.entries()) {
    const replacement = replaced.get(i);
    if (replacement === undefined) continue;
    out += text.slice(at, token.pos) + replacement;
    at = token.end;
  }
  return out + text.slice(at);
}

function attributeType(spec: ListSpec, name: string): AttrType | undefined {
  const lower = name.toLowerCase();
  return Object.hasOwn(spec.filter.attributes, lower) ? spec.filter.attributes[lower]!.type : undefined;
}
