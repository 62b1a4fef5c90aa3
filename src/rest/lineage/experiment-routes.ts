import { getRunById } from "../../registry/by-id.js";
import { NotFoundError } from "../../registry/errors.js";
import { type RunInput, listRuns, updateRun, createRun } from "../../registry/experiment-runs.js";
import { createExperiment, type ExperimentInput, getExperiment, listExperiments, updateExperiment } from "../../registry/experiments.js";
import { createWithExtras, idOfExternalId, patchWithExtras } from "../../registry/kubeflow.js";
import { listMetricValues, METRIC_HISTORY_LIST } from "../../registry/kubeflow-lists.js";
import { EXPERIMENT_LIST, RUN_LIST } from "../../registry/lifecycle-list-specs.js";
import type { Experiment, ExperimentRun, RunStatus } from "../../registry/lifecycle-types.js";
import type { State } from "../../registry/types.js";
import { listArtifactUnion } from "../artifacts/artifact-lists.js";
import { upsertUnder } from "../artifacts/artifact-routes.js";
import { required, str } from "../shared/body.js";
import {
  enumIn,
  experimentOut,
  extrasPatchOf,
  idIn,
  maskOf,
  metricPointOut,
  type Parsed,
  propertiesIn,
  runOut,
  timeIn,
  updateOf,
} from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { checkParams, envelope, LIST_PARAMS, listRequest, quoteLiteral } from "../shared/query.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { EXPERIMENT_CREATE, EXPERIMENT_UPDATE, RUN_CREATE, RUN_FULL, RUN_UPDATE } from "../shared/shapes.js";
import { created, findParams, nameAndExternalIdFilter, ok, okPageWithExtras, okWithExtras, single, withBodyReferences } from "../shared/support.js";

/** Experiments, their runs, the runs' artifacts and metric history. */

const STATES: readonly State[] = ["LIVE", "ARCHIVED"];
const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "FINISHED", "FAILED", "KILLED"];
/** A run's `owner` is its author. */
const RUN_FILTER_NAMES = { owner: "author" };

/** An experiment body (ExperimentCreate's name is required: see `required`). */
function parseExperiment(body: Record<string, unknown>): Parsed<ExperimentInput> {
  return {
    input: {
      displayName: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      owner: str(body, "owner") ?? "",
      state: body.state === undefined ? undefined : enumIn(body.state, "state", STATES),
      labels: {},
      customProperties: propertiesIn(body.customProperties),
    },
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
      displayName: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      author: str(body, "owner") ?? "",
      status: body.status === undefined ? undefined : enumIn(body.status, "status", RUN_STATUSES),
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
  const { resource: run, extras } = await createWithExtras(call.registry, "ExperimentRun", parsed.extras, (scoped) =>
    createRun(scoped, experimentId, parsed.input, call.ctx),
  );
  return created(runOut(run, extras));
}

async function listRunsOf(call: RestCall, experimentId: number | undefined, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, ...extraParams]);
  await call.authorize("ListExperimentRuns", {});
  const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "ExperimentRun");
  const { request, pageSize } = listRequest(call.query, { spec: RUN_LIST, filterNames: RUN_FILTER_NAMES, extraFilter });
  const page = await listRuns(call.registry, experimentId, request);
  return okPageWithExtras(call.registry, page, pageSize, runOut);
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
  {
    method: "GET",
    path: "/experiment",
    async handle(call) {
      const find = findParams(call.query, false);
      await call.authorize("GetExperiment", {});
      let experiment: Experiment | undefined;
      if (find.externalId !== undefined) {
        const id = await idOfExternalId(call.registry, "Experiment", find.externalId);
        experiment = id === undefined ? undefined : await getExperiment(call.registry, { id });
        if (experiment && find.name !== undefined && experiment.displayName !== find.name) experiment = undefined;
        if (!experiment) throw new NotFoundError(`experiment with externalId "${find.externalId}"`);
      } else experiment = await getExperiment(call.registry, { displayName: find.name! });
      return okWithExtras(call.registry, experiment, experimentOut);
    },
  },
  {
    method: "GET",
    path: "/experiments",
    async handle(call) {
      checkParams(call.query, LIST_PARAMS);
      await call.authorize("ListExperiments", {});
      const { request, pageSize } = listRequest(call.query, { spec: EXPERIMENT_LIST });
      const page = await listExperiments(call.registry, request);
      return okPageWithExtras(call.registry, page, pageSize, experimentOut);
    },
  },
  {
    method: "POST",
    path: "/experiments",
    async handle(call) {
      checkParams(call.query, []);
      const parsed = parseExperiment(required(await call.body(EXPERIMENT_CREATE, "ExperimentCreate"), ["name"]));
      await call.authorize("CreateExperiment", {});
      const { resource: experiment, extras } = await createWithExtras(call.registry, "Experiment", parsed.extras, (scoped) =>
        createExperiment(scoped, parsed.input, call.ctx),
      );
      return created(experimentOut(experiment, extras));
    },
  },
  {
    method: "GET",
    path: "/experiments/{experimentId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("experimentId");
      await call.authorize("GetExperiment", {});
      return okWithExtras(call.registry, await getExperiment(call.registry, { id }), experimentOut);
    },
  },
  {
    method: "PATCH",
    path: "/experiments/{experimentId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("experimentId");
      const parsed = parseExperiment(await call.body(EXPERIMENT_UPDATE, "ExperimentUpdate"));
      await call.authorize("UpdateExperiment", {});
      const { resource: experiment, extras } = await patchWithExtras(
        call.registry,
        "Experiment",
        parsed,
        (scoped) => updateExperiment(scoped, id, updateOf(parsed), call.ctx),
        (scoped) => getExperiment(scoped, { id }),
      );
      return ok(experimentOut(experiment, extras));
    },
  },
  {
    method: "GET",
    path: "/experiments/{experimentId}/experiment_runs",
    handle: (call) => listRunsOf(call, call.id("experimentId"), ["name", "externalId"]),
  },
  {
    method: "POST",
    path: "/experiments/{experimentId}/experiment_runs",
    async handle(call) {
      checkParams(call.query, []);
      const experimentId = call.id("experimentId");
      const body = await call.body(RUN_FULL, "ExperimentRun");
      if (body.experimentId !== undefined && idIn(body.experimentId, "experimentId") !== experimentId) {
        throw badField("experimentId", "must be the experiment of the path (or be left out)");
      }
      return createRunIn(call, experimentId, parseRun(body));
    },
  },
  {
    method: "GET",
    path: "/experiment_run",
    async handle(call) {
      const find = findParams(call.query, true);
      await call.authorize("GetExperimentRun", {});
      let run: ExperimentRun | undefined;
      if (find.externalId !== undefined) {
        const id = await idOfExternalId(call.registry, "ExperimentRun", find.externalId);
        run = id === undefined ? undefined : await getRunById(call.registry, id);
        if (run && find.name !== undefined && run.displayName !== find.name) run = undefined;
        if (run && find.parentResourceId !== undefined && run.experimentId !== find.parentResourceId) run = undefined;
        if (!run) throw new NotFoundError(`experiment run with externalId "${find.externalId}"`);
      } else {
        const request = { pageSize: 2, pageToken: "", filter: `name = ${quoteLiteral(find.name!)}`, orderBy: "", showTotalSize: false };
        const page = await listRuns(call.registry, find.parentResourceId, request);
        run = single(page.items, `experiment run "${find.name}"`);
      }
      return okWithExtras(call.registry, run, runOut);
    },
  },
  {
    method: "GET",
    path: "/experiment_runs/metric_history",
    handle: (call) => metricHistory(call, undefined),
  },
  {
    method: "GET",
    path: "/experiment_runs",
    handle: (call) => listRunsOf(call, undefined, []),
  },
  {
    method: "POST",
    path: "/experiment_runs",
    async handle(call) {
      checkParams(call.query, []);
      const body = required(await call.body(RUN_CREATE, "ExperimentRunCreate"), ["experimentId"]);
      const experimentId = idIn(body.experimentId, "experimentId");
      return withBodyReferences(422, () => createRunIn(call, experimentId, parseRun(body)));
    },
  },
  {
    method: "GET",
    path: "/experiment_runs/{experimentrunId}",
    async handle(call) {
      checkParams(call.query, []);
      const run = await getRunChecked(call, call.id("experimentrunId"));
      return okWithExtras(call.registry, run, runOut);
    },
  },
  {
    method: "PATCH",
    path: "/experiment_runs/{experimentrunId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("experimentrunId");
      const parsed = parseRun(await call.body(RUN_UPDATE, "ExperimentRunUpdate"));
      await call.authorize("UpdateExperimentRun", {});
      const current = await getRunById(call.registry, id);
      const ids = { experimentId: current.experimentId, runId: id };
      const { resource: run, extras } = await patchWithExtras(
        call.registry,
        "ExperimentRun",
        parsed,
        (scoped) => updateRun(scoped, ids, updateOf(parsed), call.ctx),
        () => current,
      );
      return ok(runOut(run, extras));
    },
  },
  {
    method: "GET",
    path: "/experiment_runs/{experimentrunId}/artifacts",
    async handle(call) {
      const run = await getRunChecked(call, call.id("experimentrunId"));
      return listArtifactUnion(call, { kind: "run", runId: run.id }, { visibleModels: null, readFilter: null }, ["name", "externalId"]);
    },
  },
  {
    method: "POST",
    path: "/experiment_runs/{experimentrunId}/artifacts",
    handle: (call) => upsertUnder(call, { type: "run", id: call.id("experimentrunId") }),
  },
  {
    method: "GET",
    path: "/experiment_runs/{experimentrunId}/metric_history",
    handle: (call) => metricHistory(call, call.id("experimentrunId")),
  },
];
