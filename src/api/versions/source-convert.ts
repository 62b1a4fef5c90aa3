import { create } from "@bufbuild/protobuf";
import {
  type DatasetReference as PbDatasetReference,
  DatasetReferenceSchema,
  type ModelVersionSource as PbModelVersionSource,
  ModelVersionSourceSchema,
} from "../../../gen/modelregistry/v1/resources_pb.js";
import type { DatasetRef, VersionSource } from "../../registry/core/types.js";
import { parseRunName, runName } from "../../registry/core/resource-names.js";

/** Proto <-> domain for a version's lineage (ModelVersionSource) and dataset references. */

export function datasetIn(d: PbDatasetReference): DatasetRef {
  return { name: d.name, uri: d.uri, digest: d.digest, source: d.source, context: d.context };
}

export function datasetOut(d: DatasetRef): PbDatasetReference {
  return create(DatasetReferenceSchema, d);
}

/** A source with every field empty means "no source" (null), which clears it on update. */
export function sourceIn(s: PbModelVersionSource, field: string): VersionSource | null {
  const run = s.experimentRun === "" ? null : parseRunName(s.experimentRun, `${field}.experiment_run`);
  const source: VersionSource = {
    experimentId: run?.experimentId ?? null,
    runId: run?.runId ?? null,
    pipelineRunId: s.pipelineRunId,
    codeCommit: s.codeCommit,
    datasets: s.datasets.map(datasetIn),
  };
  const empty = !run && s.pipelineRunId === "" && s.codeCommit === "" && s.datasets.length === 0;
  return empty ? null : source;
}

export function sourceOut(s: VersionSource | null | undefined): PbModelVersionSource | undefined {
  if (!s) return undefined;
  return create(ModelVersionSourceSchema, {
    experimentRun: s.runId !== null && s.experimentId !== null ? runName(s.experimentId, s.runId) : "",
    pipelineRunId: s.pipelineRunId,
    codeCommit: s.codeCommit,
    datasets: s.datasets.map(datasetOut),
  });
}
