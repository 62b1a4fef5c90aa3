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
import { byNameOrDisplayName, deleteParts, type Methods, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { artifactOut } from "../artifacts/artifact-convert.js";
import { versionOut } from "../versions/version-convert.js";
import { experimentIn, experimentOut, metricIn, metricOut, runIn, runOut } from "./lineage-convert.js";
import { datasetOut } from "../versions/source-convert.js";
import { versionRef } from "../versions/version-ref.js";

/** Experiments, runs, metrics and GetLineage: parse, call the registry, convert. */
export function createLineageHandler(registry: Registry) {
  return {
    async createExperiment(req, ctx) {
      const experiment = await createExperiment(registry, experimentIn(required(req.experiment, "experiment")), callContext(ctx, req.reason));
      return { experiment: experimentOut(experiment) };
    },

    async getExperiment(req) {
      const ref = byNameOrDisplayName(req, parseExperimentName);
      return { experiment: experimentOut(await getExperiment(registry, ref)) };
    },

    async listExperiments(req) {
      const page = await listExperiments(registry, listRequest(req));
      return { experiments: page.items.map(experimentOut), ...pageFields(page) };
    },

    async updateExperiment(req, ctx) {
      const parts = updateParts(req.experiment, "experiment", parseExperimentName, experimentIn, req, ctx);
      return { experiment: experimentOut(await updateExperiment(registry, ...parts)) };
    },

    async deleteExperiment(req, ctx) {
      const result = await deleteExperiment(registry, ...deleteParts(req, ctx, parseExperimentName));
      return { experiment: experimentOut(result.experiment), deletedExperimentRuns: result.runs };
    },

    async createExperimentRun(req, ctx) {
      const run = await createRun(
        registry,
        parseExperimentName(req.parent, "parent"),
        runIn(required(req.experimentRun, "experiment_run")),
        callContext(ctx, req.reason),
      );
      return { experimentRun: runOut(run) };
    },

    async getExperimentRun(req) {
      return { experimentRun: runOut(await getRun(registry, parseRunName(req.name))) };
    },

    async listExperimentRuns(req) {
      const page = await listRuns(registry, parseExperimentParent(req.parent), listRequest(req));
      return { experimentRuns: page.items.map(runOut), ...pageFields(page) };
    },

    async updateExperimentRun(req, ctx) {
      const parts = updateParts(req.experimentRun, "experiment_run", parseRunName, runIn, req, ctx);
      return { experimentRun: runOut(await updateRun(registry, ...parts)) };
    },

    async deleteExperimentRun(req, ctx) {
      const run = await deleteRun(registry, ...deleteParts(req, ctx, parseRunName));
      return { experimentRun: runOut(run) };
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
