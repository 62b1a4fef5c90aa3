import type { FilterExpr } from "../filter/ast.js";
import type { KubeflowRecord, MetricHistoryPoint } from "../core/record-types.js";
import { ARTIFACT_LIST, COMMON_SORT, int, type ListSpec, str, time, RECORD_LIST } from "../shared/list-specs.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { queryDigest } from "../shared/page-token.js";
import type { Registry } from "../shared/registry.js";
import type { RecordScope } from "../ports/record-store.js";
import type { ListQuery } from "../ports/store.js";
import type { ListRequest, ModelArtifact, Page } from "../core/types.js";
import { unitOf } from "../shared/registry.js";

/**
 * Lists the Kubeflow REST API has and the gRPC API does not: every model artifact, the gateway's
 * own records (doc/dataset/metric/parameter artifacts, ServeModels), and metric history with ids
 * across runs. Same rules as every list: keyset pages, tokens bound to the query.
 */

/** Logged metric values; `name` is the metric key; a value's time is its create time. */
export const METRIC_HISTORY_LIST: ListSpec = {
  filter: {
    attributes: {
      id: int("id"),
      name: str("key"),
      key: str("key"),
      step: int("step"),
      time: time("time"),
      timestamp: time("time"),
      create_time: time("create_time"),
      update_time: time("update_time"),
      experiment_run_id: int("experiment_run_id"),
      experiment_id: int("experiment_id"),
    },
    labels: false,
  },
  sort: { ...COMMON_SORT, step: "step", time: "time", key: "key", name: "key", value: "value" },
};

/**
 * Every model artifact (of every version, and those linked to none), or one version's (the
 * caller checks it exists), with the filter attributes of `spec`.
 */
export async function listAllModelArtifacts(
  registry: Registry,
  request: ListRequest,
  spec = ARTIFACT_LIST,
  versionId?: number,
): Promise<Page<ModelArtifact>> {
  const parent = versionId === undefined ? "artifacts/-" : `kubeflow-version-artifacts/${versionId}`;
  const prepared = prepareList(request, spec, unitOf(registry).store.tokenKey(), parent);
  return unitOf(registry).read(async (r) =>
    toPage(prepared, await r.listArtifacts(versionId === undefined ? {} : { versionId }, prepared.query), await r.revision(), (a) => a),
  );
}

/** Records of the scope (the caller checks that a named parent exists). */
export async function listRecords(registry: Registry, scope: RecordScope, request: ListRequest, spec = RECORD_LIST): Promise<Page<KubeflowRecord>> {
  const parent = queryDigest("kubeflow-records", scope.kinds.join(","), scope.parentType ?? "", String(scope.parentId ?? ""));
  const prepared = prepareList(request, spec, unitOf(registry).store.tokenKey(), parent);
  return unitOf(registry).read(async (r) => toPage(prepared, await r.rest.listRecords(scope, prepared.query), await r.revision(), (x) => x));
}

/** Metric values of one run (the caller checks it exists) or of every run, by step unless ordered otherwise. */
export async function listMetricValues(registry: Registry, runId: number | undefined, request: ListRequest): Promise<Page<MetricHistoryPoint>> {
  const ordered = { ...request, orderBy: request.orderBy.trim() === "" ? "step" : request.orderBy };
  const prepared = prepareList(ordered, METRIC_HISTORY_LIST, unitOf(registry).store.tokenKey(), `kubeflow-metrics/${runId ?? "-"}`);
  return unitOf(registry).read(async (r) =>
    toPage(prepared, await r.rest.listMetricHistory({ runId }, prepared.query), await r.revision(), (p) => p),
  );
}

/** `display_name = name`, for lookups by name. */
export function byDisplayName(name: string): FilterExpr {
  return { kind: "cmp", field: { kind: "attr", name: "display_name", type: "string" }, op: "=", value: { kind: "string", value: name } };
}

/** The oldest two matches of a filter: a lookup by name sees whether the name is ambiguous. */
export const FIRST_MATCHES: ListQuery = {
  filter: null,
  sort: [{ kind: "column", column: "create_time", desc: false }],
  after: null,
  limit: 2,
  withTotal: false,
};
