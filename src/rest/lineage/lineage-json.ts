import type { Extras, MetricHistoryPoint } from "../../registry/core/record-types.js";
import type { Experiment, ExperimentRun } from "../../registry/core/types.js";
import { idOut, type Json, namedOut, timeOut } from "../shared/convert.js";

/** One value of a run's metric history as Kubeflow's metric artifact. */
export function metricPointOut(p: MetricHistoryPoint): Json {
  return {
    artifactType: "metric",
    id: idOut(p.id),
    name: p.key,
    value: p.value,
    step: p.step,
    timestamp: timeOut(p.time),
    state: "LIVE",
    experimentRunId: idOut(p.runId),
    experimentId: idOut(p.experimentId),
    customProperties: {},
    createTimeSinceEpoch: timeOut(p.time),
    lastUpdateTimeSinceEpoch: timeOut(p.time),
  };
}

export function experimentOut(e: Experiment, extras?: Extras): Json {
  return namedOut(e, extras, { owner: e.owner, state: e.state });
}

/** A run as Kubeflow's ExperimentRun: its owner is its author; its state (LIVE by default) lives in extras. */
export function runOut(r: ExperimentRun, extras?: Extras): Json {
  const own = {
    owner: r.author,
    status: r.status,
    state: typeof extras?.fields.state === "string" ? extras.fields.state : "LIVE",
    startTimeSinceEpoch: timeOut(r.startTime),
    endTimeSinceEpoch: r.endTime ? timeOut(r.endTime) : undefined,
  };
  return namedOut(r, extras, own, { experimentId: idOut(r.experimentId) });
}
