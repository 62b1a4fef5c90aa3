import { getRunById } from "../../registry/shared/by-id.js";
import { createRun, listRuns, type RunInput, updateRun } from "../../registry/lineage/runs.js";
import { createExperiment, type ExperimentInput, getExperiment, listExperiments, updateExperiment } from "../../registry/lineage/experiments.js";
import { listMetricValues, METRIC_HISTORY_LIST } from "../../registry/kubeflow/lists.js";
import { EXPERIMENT_LIST, RUN_LIST } from "../../registry/shared/list-specs.js";
import type { ExperimentRun, RunStatus, State } from "../../registry/core/types.js";
import { listArtifactUnion } from "../artifacts/artifact-lists.js";
import { upsertUnder } from "../artifacts/artifact-routes.js";
import { required, str } from "../shared/body.js";
import { enumIn, extrasPatchOf, idIn, maskOf, namedIn, optionalEnumIn, ownedIn, type Parsed, propertiesIn, timeIn } from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { checkParams, envelope, LIST_PARAMS, listRequest, quoteLiteral } from "../shared/query.js";
import { createdWithExtras, findOne, getByIdRoute, okList, okPatched, onId, onlyNamed, route, sameParent } from "../shared/route-kit.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { EXPERIMENT_CREATE, EXPERIMENT_UPDATE, RUN_CREATE, RUN_FULL, RUN_UPDATE } from "../shared/shapes.js";
import { topLevelRoutes } from "../shared/top-level-routes.js";
import { nameAndExternalIdFilter, ok, okWithExtras, withBodyReferences } from "../shared/support.js";
import { experimentOut, metricPointOut, runOut } from "./lineage-json.js";

/** Experiments, their runs, the runs' artifacts and metric history. */

const STATES: readonly State[] = ["LIVE", "ARCHIVED"];
const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "FINISHED", "FAILED", "KILLED"];
/** A run's `owner` is its author. */
const RUN_FILTER_NAMES = { owner: "author" };

/** An experiment body (ExperimentCreate's name is required: see `required`). */
function parseExperiment(body: Record<string, unknown>): Parsed<ExperimentInput> {
  return {
    input: ownedIn(body),
    mask: maskOf(body, { description: "description", owner: "owner", state: "state", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, []),
  };
}

function parseRun(body: Record<string, unknown>): Parsed<RunInput> {
  if (body.status === "SCHEDULED") {
    throw badField("status", "SCHEDULED is not supported: create the run when it starts (RUNNING)", "UNSUPPORTED_RUN_STATUS");
  }
  if (body.state !== undefined) enumIn(body.state, "state", STATES);
  return {
    input: {
      ...namedIn(body),
      author: str(body, "owner") ?? "",
      status: optionalEnumIn(body, "status", RUN_STATUSES),
      startTime: body.startTimeSinceEpoch === undefined ? undefined : timeIn(body.startTimeSinceEpoch, "startTimeSinceEpoch"),
      endTime: body.endTimeSinceEpoch === undefined ? undefined : timeIn(body.endTimeSinceEpoch, "endTimeSinceEpoch"),
      params: {},
      metrics: {},
      datasets: [],
      customProperties: propertiesIn(body.customProperties),
    },
    mask: maskOf(body, {
      description: "description",
      owner: "author",
      status: "status",
      endTimeSinceEpoch: "end_time",
      customProperties: "custom_properties",
    }),
    extras: extrasPatchOf(body, ["state"]),
  };
}

async function createRunIn(call: RestCall, experimentId: number, parsed: Parsed<RunInput>) {
  await call.authorize("CreateExperimentRun", {});
  return createdWithExtras(call, "ExperimentRun", parsed, (scoped) => createRun(scoped, experimentId, parsed.input, call.ctx), runOut);
}

async function listRunsOf(call: RestCall, experimentId: number | undefined, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, ...extraParams]);
  await call.authorize("ListExperimentRuns", {});
  const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "ExperimentRun");
  const options = { spec: RUN_LIST, filterNames: RUN_FILTER_NAMES, extraFilter };
  return okList(call, options, (request) => listRuns(call.registry, experimentId, request), runOut);
}

async function metricHistory(call: RestCall, runId: number | undefined) {
  checkParams(call.query, [...LIST_PARAMS, "name", "stepIds"]);
  await call.authorize("ListExperimentRunMetricHistory", {});
  if (runId !== undefined) await getRunById(call.registry, runId);
  const extraFilter: string[] = [];
  const name = call.query.get("name");
  if (name) extraFilter.push(`key = ${quoteLiteral(name)}`);
  const steps = call.query.get("stepIds");
  if (steps) {
    if (!/^[0-9]{1,15}(,[0-9]{1,15})*$/.test(steps)) throw badField("stepIds", "must be comma-separated step numbers such as 1,2,3");
    extraFilter.push(`step IN (${steps})`);
  }
  const { request, pageSize } = listRequest(call.query, { spec: METRIC_HISTORY_LIST, extraFilter, defaultOrder: "step" });
  const page = await listMetricValues(call.registry, runId, request);
  return ok(envelope(page, pageSize, metricPointOut));
}

async function getRunChecked(call: RestCall, id: number): Promise<ExperimentRun> {
  await call.authorize("GetExperimentRun", {});
  return getRunById(call.registry, id);
}

export const EXPERIMENT_ROUTES: RestRoute[] = [
  ...topLevelRoutes({
    type: "Experiment",
    bodies: [EXPERIMENT_CREATE, EXPERIMENT_UPDATE],
    spec: EXPERIMENT_LIST,
    parse: parseExperiment,
    out: experimentOut,
    get: getExperiment,
    list: listExperiments,
    add: createExperiment,
    change: updateExperiment,
  }),
  route("GET", "/experiments/{experimentId}/experiment_runs", (call) => listRunsOf(call, call.id("experimentId"), ["name", "externalId"])),
  onId("POST", "/experiments/{experimentId}/experiment_runs", async (call, experimentId) => {
    const body = await call.body(RUN_FULL, "ExperimentRun");
    sameParent(body, "experimentId", experimentId, "experiment");
    return createRunIn(call, experimentId, parseRun(body));
  }),
  route("GET", "/experiment_run", async (call) => {
    const run = await findOne(call, {
      type: "ExperimentRun",
      byId: (id) => getRunById(call.registry, id),
      byName: (name, parentId) => onlyNamed(name, "ExperimentRun", (request) => listRuns(call.registry, parentId, request)),
      parentOf: (run) => run.experimentId,
    });
    return okWithExtras(call.registry, run, runOut);
  }),
  route("GET", "/experiment_runs/metric_history", (call) => metricHistory(call, undefined)),
  route("GET", "/experiment_runs", (call) => listRunsOf(call, undefined, [])),
  route("POST", "/experiment_runs", async (call) => {
    checkParams(call.query, []);
    const body = required(await call.body(RUN_CREATE, "ExperimentRunCreate"), ["experimentId"]);
    const experimentId = idIn(body.experimentId, "experimentId");
    return withBodyReferences(422, () => createRunIn(call, experimentId, parseRun(body)));
  }),
  getByIdRoute("/experiment_runs/{experimentrunId}", getRunChecked, runOut),
  onId("PATCH", "/experiment_runs/{experimentrunId}", async (call, id) => {
    const parsed = parseRun(await call.body(RUN_UPDATE, "ExperimentRunUpdate"));
    await call.authorize("UpdateExperimentRun", {});
    const current = await getRunById(call.registry, id);
    const ids = { experimentId: current.experimentId, runId: id };
    return okPatched(
      call,
      "ExperimentRun",
      parsed,
      (scoped, change) => updateRun(scoped, ids, change, call.ctx),
      () => current,
      runOut,
    );
  }),
  route("GET", "/experiment_runs/{experimentrunId}/artifacts", async (call) => {
    const run = await getRunChecked(call, call.id("experimentrunId"));
    return listArtifactUnion(call, { kind: "run", runId: run.id }, { visibleModels: null, readFilter: null }, ["name", "externalId"]);
  }),
  route("POST", "/experiment_runs/{experimentrunId}/artifacts", (call) => upsertUnder(call, { type: "run", id: call.id("experimentrunId") })),
  route("GET", "/experiment_runs/{experimentrunId}/metric_history", (call) => metricHistory(call, call.id("experimentrunId"))),
];
