import type { DatasetRef, Experiment, ExperimentRun, ModelArtifact, ModelVersion } from "../core/types.js";
import type { VersionRef } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import { findVersion } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";

export interface Lineage {
  version: ModelVersion;
  run: ExperimentRun | null;
  experiment: Experiment | null;
  /** The datasets of the version's source and of its run, each (name, uri, digest) once. */
  datasets: DatasetRef[];
  artifacts: ModelArtifact[];
}

/**
 * What produced a version, in one call and one snapshot: its source (pipeline run, code commit,
 * datasets), the run with its params, latest metrics and datasets, the run's experiment, and the
 * version's artifacts. A run deleted with force is simply absent (the source still names it).
 * Datasets are the version's, then the run's, the same (name, uri, digest) listed once.
 */
export async function getLineage(registry: Registry, ref: VersionRef): Promise<Lineage> {
  return unitOf(registry).read(async (r) => {
    const version = await findVersion(r, ref);
    const source = version.source ?? null;
    let run = source?.runId != null ? ((await r.lineage.getRun(source.runId)) ?? null) : null;
    if (run && run.experimentId !== source?.experimentId) run = null;
    const [experiment, artifacts] = await Promise.all([
      run ? r.lineage.getExperiment(run.experimentId) : Promise.resolve(undefined),
      r.lifecycle.artifactsOfVersions([version.id]),
    ]);
    const seen = new Set<string>();
    const datasets = [...(source?.datasets ?? []), ...(run?.datasets ?? [])].filter((d) => {
      // The same data (name, uri, digest) annotated differently by the version and the run is listed once.
      const key = JSON.stringify([d.name, d.uri, d.digest]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return { version, run, experiment: experiment ?? null, datasets, artifacts };
  });
}
