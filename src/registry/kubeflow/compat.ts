import { InvalidArgumentError } from "../core/errors.js";
import type { AttrType } from "../filter/ast.js";
import { tokenize } from "../filter/lexer.js";

import { ARTIFACT_LIST, type ListSpec, RECORD_LIST, SERVE_LIST } from "../shared/list-specs.js";

/**
 * Kubeflow's filterQuery, for the Kubeflow REST gateway (src/rest) and nothing else (its writes
 * are use-cases.ts's): filterQuery spells fields Kubeflow's way: camelCase names of built-in
 * fields map to the filter language's (experimentRunId, registeredModelId,
 * createTimeSinceEpoch, …), and an id may be quoted (`registeredModelId IN ('1')`), as
 * Kubeflow's server compares it with an int.
 */

// ---- filterQuery ----

/** Held in rest_artifact_runs (ARTIFACT_RUN_RELATED in the store): each comparison is a subquery. */
const RUN_ATTRIBUTES = {
  experiment_id: { name: "experiment_id", type: "int" as const, related: true },
  experiment_run_id: { name: "experiment_run_id", type: "int" as const, related: true },
};
const withRuns = (spec: ListSpec): ListSpec => ({
  ...spec,
  filter: { ...spec.filter, attributes: { ...spec.filter.attributes, ...RUN_ATTRIBUTES } },
});

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
    unsupported: {
      modelversionid: "cannot be filtered on: a ServeModel's modelVersionId is not indexed; list the inference service's serves instead",
    },
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
        throw InvalidArgumentError.field(
          "filterQuery",
          "externalId cannot be filtered on; find by externalId with the find endpoint",
          "INVALID_FILTER",
        );
      }
      const snake = word.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
      const mapped =
        names[word] ?? names[lower] ?? FILTER_NAMES[lower] ?? (snake !== lower && Object.hasOwn(spec.filter.attributes, snake) ? snake : undefined);
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
