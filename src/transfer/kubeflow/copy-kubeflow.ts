import { ARTIFACT_SHAPES, EXPERIMENT_CREATE, MODEL_CREATE, RUN_CREATE, VERSION_CREATE } from "../../rest/shared/shapes.js";
import type { Progress } from "../progress.js";
import { type KubeflowApi, type KubeflowObject, listAll } from "./api-client.js";

/** What one run created, and what it found already there (an earlier run, or the same names). */
export interface CopyCounts {
  created: Record<string, number>;
  existing: Record<string, number>;
}

/** Fields the source sets and the target assigns itself (ids, times) or that name the source's ids. */
const NOT_COPIED = new Set(["id", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch", "registeredModelId", "experimentId", "experimentRunId"]);

/**
 * Copies experiments, their runs, registered models, their versions, and the artifacts of
 * versions and runs (with custom properties) from one Kubeflow REST API to another, page by page.
 * A resource whose name the target already has under the same parent is kept as it is, so a run
 * killed half-way is completed by the next, without duplicates. Archived models and versions are
 * created live and archived once their children are in (an archived parent takes no children).
 * References between them (a run's experiment, an artifact's run) are remapped to the target's ids.
 */
export async function copyKubeflow(source: KubeflowApi, target: KubeflowApi, pageSize: number, progress: Progress): Promise<CopyCounts> {
  const counts: CopyCounts = { created: {}, existing: {} };
  const experiments = new Map<string, string>();
  const runs = new Map<string, string>();
  let done = 0;
  const step = (phase: string) => {
    progress.phase(phase, 0);
    done = 0;
  };
  const tick = () => progress.update(++done);

  /** The target's child with the source object's name under a parent, else a new one. */
  const ensure = async (kind: string, existing: Map<string, KubeflowObject>, item: KubeflowObject, create: () => Promise<KubeflowObject>) => {
    const found = existing.get(keyOf(item));
    const made = found ?? (await create());
    const tally = found ? counts.existing : counts.created;
    tally[kind] = (tally[kind] ?? 0) + 1;
    tick();
    return made;
  };
  const byKey = async (path: string) => {
    const map = new Map<string, KubeflowObject>();
    for await (const item of listAll(target, path, 1000)) map.set(keyOf(item), item);
    return map;
  };

  step("experiments");
  const targetExperiments = await byKey("/experiments");
  for await (const experiment of listAll(source, "/experiments", pageSize)) {
    const made = await ensure("experiments", targetExperiments, experiment, () => target.post("/experiments", pick(experiment, EXPERIMENT_CREATE)));
    experiments.set(String(experiment.id), String(made.id));
  }
  step("runs");
  for (const [sourceId, targetId] of experiments) {
    const targetRuns = await byKey(`/experiments/${targetId}/experiment_runs`);
    for await (const run of listAll(source, `/experiments/${sourceId}/experiment_runs`, pageSize)) {
      const body = { ...pick(run, RUN_CREATE), experimentId: targetId };
      const made = await ensure("runs", targetRuns, run, () => target.post(`/experiments/${targetId}/experiment_runs`, body));
      runs.set(String(run.id), String(made.id));
    }
  }
  step("models");
  const targetModels = await byKey("/registered_models");
  for await (const model of listAll(source, "/registered_models", pageSize)) {
    const targetModel = await ensure("models", targetModels, model, () => target.post("/registered_models", live(pick(model, MODEL_CREATE))));
    const modelId = String(targetModel.id);
    const targetVersions = await byKey(`/registered_models/${modelId}/versions`);
    for await (const version of listAll(source, `/registered_models/${model.id}/versions`, pageSize)) {
      const body = { ...live(pick(version, VERSION_CREATE)), registeredModelId: modelId };
      const targetVersion = await ensure("versions", targetVersions, version, () => target.post(`/registered_models/${modelId}/versions`, body));
      const versionId = String(targetVersion.id);
      await copyArtifacts(`/model_versions/${version.id}/artifacts`, `/model_versions/${versionId}/artifacts`);
      await archiveLike(version, targetVersion, `/model_versions/${versionId}`);
    }
    await archiveLike(model, targetModel, `/registered_models/${modelId}`);
  }
  step("run artifacts");
  for (const [sourceId, targetId] of runs) await copyArtifacts(`/experiment_runs/${sourceId}/artifacts`, `/experiment_runs/${targetId}/artifacts`);
  progress.end();
  return counts;

  async function copyArtifacts(from: string, to: string): Promise<void> {
    const existing = await byKey(to);
    for await (const artifact of listAll(source, from, pageSize)) {
      const type = typeof artifact.artifactType === "string" ? artifact.artifactType : "model-artifact";
      const shape = ARTIFACT_SHAPES[type]?.create;
      if (!shape) continue; // a type this registry does not keep
      const body: KubeflowObject = { ...pick(artifact, shape), artifactType: type };
      const experimentId = experiments.get(String(artifact.experimentId));
      const runId = runs.get(String(artifact.experimentRunId));
      if (experimentId) body.experimentId = experimentId;
      if (runId) body.experimentRunId = runId;
      await ensure("artifacts", existing, artifact, () => target.post(to, body));
    }
  }

  /** Archives the target's copy when the source's is archived (after its children are in) and the copy is not yet. */
  async function archiveLike(item: KubeflowObject, copy: KubeflowObject, path: string): Promise<void> {
    if (item.state === "ARCHIVED" && copy.state !== "ARCHIVED") await target.patch(path, { state: "ARCHIVED" });
  }
}

/** A resource's identity under its parent: its type (artifacts), its name and, for unnamed artifacts, its URI. */
function keyOf(item: KubeflowObject): string {
  return JSON.stringify([item.artifactType ?? "", item.name ?? "", item.name ? "" : (item.uri ?? "")]);
}

/** The fields of a create body the source object has (ids and times left to the target). */
function pick(item: KubeflowObject, shape: Readonly<Record<string, string>>): KubeflowObject {
  return Object.fromEntries(
    Object.entries(item).filter(([key, value]) => key in shape && !NOT_COPIED.has(key) && value !== null && value !== undefined),
  );
}

/** A body without state ARCHIVED (the parent is archived after its children are created). */
function live(body: KubeflowObject): KubeflowObject {
  if (body.state !== "ARCHIVED") return body;
  const { state: _archived, ...rest } = body;
  return rest;
}
