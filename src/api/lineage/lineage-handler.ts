import { InvalidArgumentError } from "../../registry/core/errors.js";
import {
  createRun,
  deleteRun,
  getRun,
  listMetricHistory,
  listRuns,
  logMetrics,
  MAX_METRICS_PER_CALL,
  updateRun,
} from "../../registry/lineage/runs.js";
import { createExperiment, deleteExperiment, getExperiment, listExperiments, updateExperiment } from "../../registry/lineage/experiments.js";
import { parseExperimentName, parseExperimentParent, parseRunName } from "../../registry/core/resource-names.js";
import { getLineage } from "../../registry/lineage/lineage.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { byNameOrDisplayName, deleteParts, type Methods, pageFields } from "../shared/handler-kit.js";
import { resourceMethods } from "../shared/resource-methods.js";
import { artifactOut } from "../artifacts/artifact-convert.js";
import { versionOut } from "../versions/version-convert.js";
import { experimentIn, experimentOut, metricIn, metricOut, runIn, runOut } from "./lineage-convert.js";
import { datasetOut } from "../versions/source-convert.js";
import { versionRef } from "../versions/version-ref.js";

/** Experiments, runs, metrics and GetLineage: parse, call the registry, convert. */
export function createLineageHandler(registry: Registry) {
  const experiments = resourceMethods(registry, { one: "experiment", parseName: parseExperimentName, in: experimentIn, out: experimentOut });
  const runs = resourceMethods(registry, { one: "experimentRun", parseName: parseRunName, in: runIn, out: runOut });
  return {
    createExperiment: experiments.create(createExperiment, (req) => req.experiment),
    getExperiment: experiments.get(getExperiment, (req) => byNameOrDisplayName(req, parseExperimentName)),
    listExperiments: experiments.list(listExperiments),
    updateExperiment: experiments.update(updateExperiment, (req) => req.experiment),

    async deleteExperiment(req, ctx) {
      const result = await deleteExperiment(registry, ...deleteParts(req, ctx, parseExperimentName));
      return { experiment: experimentOut(result.experiment), deletedExperimentRuns: result.runs };
    },

    createExperimentRun: runs.createIn(
      createRun,
      (req) => parseExperimentName(req.parent, "parent"),
      (req) => req.experimentRun,
    ),
    getExperimentRun: runs.get(getRun, (req) => parseRunName(req.name)),
    listExperimentRuns: runs.listIn(listRuns, (req) => parseExperimentParent(req.parent)),
    updateExperimentRun: runs.update(updateRun, (req) => req.experimentRun),

    async deleteExperimentRun(req, ctx) {
      return runs.respond(await deleteRun(registry, ...deleteParts(req, ctx, parseRunName)));
    },

    async logExperimentRunMetrics(req, ctx) {
      // Checked before converting so that a huge list is refused cheaply.
      if (req.metrics.length > MAX_METRICS_PER_CALL) throw InvalidArgumentError.field("metrics", `at most ${MAX_METRICS_PER_CALL} values per call`);
      const run = await logMetrics(registry, parseRunName(req.name), req.metrics.map(metricIn), callContext(ctx, req.reason));
      return { experimentRun: runOut(run) };
    },

    async listExperimentRunMetricHistory(req) {
      const page = await listMetricHistory(registry, parseRunName(req.parent, "parent"), listRequest(req));
      return { metrics: page.items.map(metricOut), ...pageFields(page) };
    },

    async getLineage(req) {
      const lineage = await getLineage(registry, versionRef(req));
      return {
        modelVersion: versionOut(lineage.version),
        experimentRun: lineage.run ? runOut(lineage.run) : undefined,
        experiment: lineage.experiment ? experimentOut(lineage.experiment) : undefined,
        datasets: lineage.datasets.map(datasetOut),
        modelArtifacts: lineage.artifacts.map(artifactOut),
      };
    },
  } satisfies Methods;
}
