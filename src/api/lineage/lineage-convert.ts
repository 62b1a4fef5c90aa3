import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Experiment as PbExperiment,
  type ExperimentRun as PbExperimentRun,
  ExperimentRunSchema,
  ExperimentRunStatus,
  ExperimentSchema,
  type Metric as PbMetric,
  MetricSchema,
} from "../../../gen/modelregistry/v1/lineage_pb.js";
import { State as PbState } from "../../../gen/modelregistry/v1/resources_pb.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import type { RunInput } from "../../registry/lineage/runs.js";
import type { ExperimentInput } from "../../registry/lineage/experiments.js";
import type { Experiment, ExperimentRun, MetricPoint, RunStatus, State } from "../../registry/core/types.js";
import { experimentName, runName } from "../../registry/core/resource-names.js";
import { describedIn, enumIn, propertiesIn, propertiesOut, ts, tsIn, withDescribed, withStored } from "../shared/convert.js";
import { datasetIn, datasetOut } from "../versions/source-convert.js";

/** Proto <-> domain for experiments, runs and their metrics (datasets: versions/source-convert.ts). */

export function experimentIn(p: PbExperiment | undefined): ExperimentInput {
  const e = p ?? create(ExperimentSchema);
  return {
    owner: e.owner,
    state: enumIn<State>("experiment.state", e.state, PbState, ["LIVE", "ARCHIVED"]),
    labels: { ...e.labels },
    ...describedIn(e, "experiment"),
  };
}

export function experimentOut(e: Experiment): PbExperiment {
  const message = create(ExperimentSchema, { owner: e.owner, state: e.state === "LIVE" ? PbState.LIVE : PbState.ARCHIVED, labels: e.labels });
  return withDescribed(withStored(message, experimentName(e.id), e), e);
}

export function runIn(p: PbExperimentRun | undefined): RunInput {
  const r = p ?? create(ExperimentRunSchema);
  return {
    author: r.author,
    status: enumIn<RunStatus>("experiment_run.status", r.status, ExperimentRunStatus, ["RUNNING", "FINISHED", "FAILED", "KILLED"]),
    startTime: tsIn(r.startTime),
    endTime: tsIn(r.endTime),
    params: propertiesIn("experiment_run.params", r.params),
    metrics: { ...r.metrics },
    datasets: r.datasets.map(datasetIn),
    ...describedIn(r, "experiment_run"),
  };
}

export function runOut(r: ExperimentRun): PbExperimentRun {
  const message = create(ExperimentRunSchema, {
    experiment: experimentName(r.experimentId),
    author: r.author,
    status: ExperimentRunStatus[r.status],
    startTime: ts(r.startTime),
    endTime: ts(r.endTime),
    params: propertiesOut(r.params),
    metrics: r.metrics,
    datasets: r.datasets.map(datasetOut),
  });
  return withDescribed(withStored(message, runName(r.experimentId, r.id), r), r);
}

export function metricIn(m: PbMetric): Omit<MetricPoint, "time"> & { time: Date | undefined } {
  const step = m.step;
  if (step > BigInt(Number.MAX_SAFE_INTEGER) || step < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw InvalidArgumentError.field("metrics.step", "must be a safe integer (|step| < 2^53)");
  }
  return { key: m.key, value: m.value, step: Number(step), time: tsIn(m.time) };
}

export function metricOut(m: MetricPoint): PbMetric {
  return create(MetricSchema, { key: m.key, value: m.value, step: BigInt(m.step), time: timestampFromDate(m.time) });
}
