import type { Client } from "@connectrpc/connect";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";

type RegistryClient = Client<typeof ModelRegistryService>;

const dbl = (value: number) => ({ kind: { case: "doubleValue" as const, value } });
const int = (value: bigint) => ({ kind: { case: "intValue" as const, value } });
const str = (value: string) => ({ kind: { case: "stringValue" as const, value } });
const bool = (value: boolean) => ({ kind: { case: "boolValue" as const, value } });

/**
 * Writes a little of everything through the public APIs: models with labels, readme and every
 * kind of custom property (an int64 beyond 2^53 among them), versions with lineage to a run and
 * datasets, artifacts, aliases set, moved and removed, an archived model, an experiment with a
 * run, params and a metric history, deployments with reported status, and Kubeflow-only data
 * (external ids, a doc artifact) through the REST gateway. Returns the names tests look up.
 */
export async function seedRegistry(client: RegistryClient, baseUrl: string, prefix = "acme") {
  const experiment = (await client.createExperiment({ experiment: { displayName: `${prefix}-churn-tuning`, owner: "ds-team" } })).experiment!;
  const run = (
    await client.createExperimentRun({
      parent: experiment.name,
      experimentRun: {
        displayName: "xgb-depth-6",
        author: "ana@acme.com",
        params: { learning_rate: dbl(0.05), max_depth: int(6n) },
        datasets: [{ name: "churn-events", uri: "s3://data/churn/", digest: "sha256:abc", source: "s3", context: "training" }],
      },
    })
  ).experimentRun!;
  for (let step = 1n; step <= 3n; step++) {
    await client.logExperimentRunMetrics({ name: run.name, metrics: [{ key: "loss", value: 1 / Number(step), step }] });
  }

  const register = (model: string, version: string, extra: Record<string, ReturnType<typeof dbl>> = {}) =>
    client.registerModel({
      registeredModel: { displayName: model, description: `${model} model`, owner: "fraud-team", labels: { team: "fraud" }, readme: "# Fraud" },
      modelVersion: {
        version,
        author: "ana",
        customProperties: {
          accuracy: dbl(0.9),
          epochs: int(10n),
          huge: int(2n ** 60n + 7n),
          framework: str("onnx"),
          tuned: bool(true),
          hyper: { kind: { case: "structValue", value: { lr: 0.01, layers: [64, 32] } } },
          ...extra,
        },
        source: {
          experimentRun: run.name,
          codeCommit: "abc123",
          datasets: [{ name: "churn-events", uri: "s3://data/churn/", digest: "sha256:abc" }],
        },
      },
      modelArtifacts: [
        { displayName: "model.onnx", uri: `s3://models/${model}/${version}/model.onnx`, modelFormatName: "onnx", modelFormatVersion: "1" },
      ],
    });
  const v1 = await register(`${prefix}-fraud`, "v1");
  const v2 = await register(`${prefix}-fraud`, "v2", { accuracy: dbl(0.95) });
  const model = v1.registeredModel!.name;
  await client.setAlias({ name: `${model}/aliases/production`, modelVersion: v1.modelVersion!.name, reason: "first rollout" });
  await client.setAlias({ name: `${model}/aliases/production`, modelVersion: v2.modelVersion!.name, expectedModelVersion: v1.modelVersion!.name });
  await client.setAlias({ name: `${model}/aliases/canary`, modelVersion: v2.modelVersion!.name });
  await client.deleteAlias({ name: `${model}/aliases/canary` });
  await client.updateModelVersion({ modelVersion: { name: v1.modelVersion!.name, description: "first" }, updateMask: { paths: ["description"] } });

  const old = await register(`${prefix}-legacy`, "v1");
  await client.archiveRegisteredModel({ name: old.registeredModel!.name, reason: "replaced" });

  const env = (await client.createServingEnvironment({ servingEnvironment: { displayName: `${prefix}-prod-eu`, labels: { region: "eu" } } }))
    .servingEnvironment!;
  const service = (
    await client.createInferenceService({
      parent: env.name,
      inferenceService: { displayName: "scorer", registeredModel: model, alias: "production", runtime: "onnx" },
    })
  ).inferenceService!;
  await client.reportDeploymentStatus({
    name: service.name,
    status: { servingModelVersion: v2.modelVersion!.name, ready: true, url: "https://scorer.example/v1", observedRevision: service.specRevision },
  });

  const rest = `${baseUrl}/api/model_registry/v1alpha3`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${rest}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const kubeflowModel = await post("/registered_models", {
    name: `${prefix}-kubeflow`,
    externalId: `${prefix}-ext-1`,
    customProperties: { team: { metadataType: "MetadataStringValue", string_value: "ml" } },
  });
  const kubeflowVersion = await post(`/registered_models/${kubeflowModel.id}/versions`, { name: "1.0.0", registeredModelId: kubeflowModel.id });
  await post(`/model_versions/${kubeflowVersion.id}/artifacts`, { artifactType: "doc-artifact", name: "readme", uri: "s3://docs/readme.md" });
  return { model, v1: v1.modelVersion!.name, v2: v2.modelVersion!.name, run: run.name };
}
