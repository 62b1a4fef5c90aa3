import type { Client } from "@connectrpc/connect";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";

type RegistryClient = Client<typeof ModelRegistryService>;

/** Every page of a list, concatenated. */
async function all<T>(page: (token: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const items: T[] = [];
  let token = "";
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.next;
  } while (token !== "");
  return items;
}

/**
 * Everything a registry shows, through its public APIs: models, versions and artifacts with
 * properties and labels, aliases and their history, lineage, experiments, runs and metric
 * histories, serving environments and inference services, the whole event log, and the Kubeflow
 * gateway's listings (external ids, Kubeflow-only artifacts). Two registries holding the same
 * content give equal listings (revisions and ids included); the page revision is left out.
 */
export async function listEverything(client: RegistryClient, baseUrl: string) {
  const pageSize = 1000;
  const models = await all(async (pageToken) => {
    const r = await client.listRegisteredModels({ pageSize, pageToken });
    return { items: r.registeredModels, next: r.nextPageToken };
  });
  const perModel = [];
  for (const model of models) {
    const versions = await all(async (pageToken) => {
      const r = await client.listModelVersions({ parent: model.name, pageSize, pageToken });
      return { items: r.modelVersions, next: r.nextPageToken };
    });
    const artifacts = [];
    const lineage = [];
    for (const version of versions) {
      artifacts.push(
        await all(async (pageToken) => {
          const r = await client.listModelArtifacts({ parent: version.name, pageSize, pageToken });
          return { items: r.modelArtifacts, next: r.nextPageToken };
        }),
      );
      lineage.push(await client.getLineage({ name: version.name }));
    }
    const aliases = await all(async (pageToken) => {
      const r = await client.listAliases({ parent: model.name, pageSize, pageToken });
      return { items: r.aliases, next: r.nextPageToken };
    });
    const aliasHistory = await all(async (pageToken) => {
      const r = await client.listAliasHistory({ parent: model.name, pageSize, pageToken });
      return { items: r.entries, next: r.nextPageToken };
    });
    perModel.push({ model, versions, artifacts, lineage, aliases, aliasHistory });
  }
  const experiments = await all(async (pageToken) => {
    const r = await client.listExperiments({ pageSize, pageToken });
    return { items: r.experiments, next: r.nextPageToken };
  });
  const runs = await all(async (pageToken) => {
    const r = await client.listExperimentRuns({ parent: "experiments/-", pageSize, pageToken });
    return { items: r.experimentRuns, next: r.nextPageToken };
  });
  const metricHistory = [];
  for (const run of runs) {
    metricHistory.push(
      await all(async (pageToken) => {
        const r = await client.listExperimentRunMetricHistory({ parent: run.name, pageSize, pageToken });
        return { items: r.metrics, next: r.nextPageToken };
      }),
    );
  }
  const environments = await all(async (pageToken) => {
    const r = await client.listServingEnvironments({ pageSize, pageToken });
    return { items: r.servingEnvironments, next: r.nextPageToken };
  });
  const inferenceServices = await all(async (pageToken) => {
    const r = await client.listInferenceServices({ parent: "servingEnvironments/-", pageSize, pageToken });
    return { items: r.inferenceServices, next: r.nextPageToken };
  });
  const events = await all(async (pageToken) => {
    const r = await client.listEvents({ pageSize, pageToken });
    return { items: r.events, next: r.nextPageToken };
  });
  const kubeflow: Record<string, unknown> = {};
  for (const path of [
    "registered_models",
    "model_versions",
    "artifacts",
    "experiments",
    "experiment_runs",
    "serving_environments",
    "inference_services",
  ]) {
    const response = await fetch(`${baseUrl}/api/model_registry/v1alpha3/${path}?pageSize=1000`);
    kubeflow[path] = ((await response.json()) as { items?: unknown[] }).items;
  }
  return { models: perModel, experiments, runs, metricHistory, environments, inferenceServices, events, kubeflow };
}
