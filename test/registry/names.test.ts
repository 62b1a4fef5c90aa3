import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import { decimalId, parseArtifactName, parseModelName, parseModelParent, parseVersionName } from "../../src/registry/core/names.js";
import {
  parseEnvironmentName,
  parseExperimentName,
  parseInferenceServiceName,
  parseModelUri,
  parseRunName,
} from "../../src/registry/core/resource-names.js";

describe("resource names", () => {
  it("parses model, version and artifact names", () => {
    expect(parseModelName("registeredModels/12")).toBe(12);
    expect(parseVersionName("registeredModels/1/versions/7")).toEqual({ model: { id: 1 }, selector: { kind: "id", id: 7 } });
    expect(parseArtifactName("registeredModels/1/versions/2/artifacts/3")).toEqual({ kind: "linked", modelId: 1, versionId: 2, artifactId: 3 });
  });

  it("parses artifacts/{id}, the name of a model artifact linked to no version", () => {
    expect(parseArtifactName("artifacts/9")).toEqual({ kind: "unlinked", artifactId: 9 });
    for (const name of ["artifacts/", "artifacts/0", "artifacts/9/x", "artifact/9"])
      expect(() => parseArtifactName(name)).toThrow(InvalidArgumentError);
  });

  it("takes ids up to Number.MAX_SAFE_INTEGER exactly, and no larger one", () => {
    expect(parseModelName(`registeredModels/${Number.MAX_SAFE_INTEGER}`)).toBe(Number.MAX_SAFE_INTEGER);
    expect(decimalId("9007199254740991")).toBe(9007199254740991);
    for (const text of ["9007199254740992", "9007199254740993", "0", "01", "-1", "1e3", "1.0", " 1", ""]) expect(decimalId(text)).toBeUndefined();
  });

  it("accepts latest and @alias as the version segment", () => {
    expect(parseVersionName("registeredModels/1/versions/latest").selector).toEqual({ kind: "latest" });
    expect(parseVersionName("registeredModels/1/versions/@production").selector).toEqual({ kind: "alias", alias: "production" });
  });

  it("accepts registeredModels/- as the parent of every model's versions", () => {
    expect(parseModelParent("registeredModels/-")).toBeUndefined();
    expect(parseModelParent("registeredModels/4")).toBe(4);
  });

  it.each([
    "",
    "registeredModels",
    "registeredModels/",
    "registeredModels/0",
    "registeredModels/01",
    "registeredModels/abc",
    "registeredModels/1/extra",
    "models/1",
    "registeredModels/99999999999999999999",
    "registeredModels/9007199254740993", // above Number.MAX_SAFE_INTEGER: would round to …992
    "registeredModels/9999999999999999",
    "registeredModels/1 ",
  ])("rejects the model name %j", (name) => {
    expect(() => parseModelName(name)).toThrow(InvalidArgumentError);
  });

  it.each(["registeredModels/1/versions/", "registeredModels/1/versions/@", "registeredModels/1/versions/@Prod", "registeredModels/1/version/2"])(
    "rejects the version name %j",
    (name) => {
      expect(() => parseVersionName(name)).toThrow(InvalidArgumentError);
    },
  );
});

describe("lifecycle resource names", () => {
  it("parses experiment, run and inference service names with the largest safe id", () => {
    const max = String(Number.MAX_SAFE_INTEGER);
    expect(parseExperimentName(`experiments/${max}`)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseRunName(`experiments/1/runs/${max}`)).toEqual({ experimentId: 1, runId: Number.MAX_SAFE_INTEGER });
    expect(parseInferenceServiceName(`servingEnvironments/2/inferenceServices/${max}`)).toEqual({ environmentId: 2, id: Number.MAX_SAFE_INTEGER });
  });

  it.each([
    () => parseExperimentName("experiments/9007199254740993"),
    () => parseRunName("experiments/9007199254740993/runs/1"),
    () => parseEnvironmentName("servingEnvironments/9999999999999999"),
    () => parseInferenceServiceName("servingEnvironments/1/inferenceServices/0"),
    () => parseExperimentName("runs/1"),
  ])("rejects a name with an unsafe, zero or misplaced id (%#)", (parse) => {
    expect(parse).toThrow(InvalidArgumentError);
  });
});

describe("model-registry:// URIs", () => {
  const model = (displayName: string) => ({ displayName });
  it.each([
    ["model-registry://fraud", { model: model("fraud"), selector: { kind: "latest" } }],
    ["model-registry://fraud/v2", { model: model("fraud"), selector: { kind: "version", version: "v2" } }],
    ["model-registry://fraud/latest", { model: model("fraud"), selector: { kind: "latest" } }],
    ["model-registry://fraud@production", { model: model("fraud"), selector: { kind: "alias", alias: "production" } }],
    // KServe's storage initializer for Kubeflow: an optional host, the version optional, the query ignored.
    [
      "model-registry://model-registry.kubeflow.svc.cluster.local:8080/fraud/v2",
      { model: model("fraud"), selector: { kind: "version", version: "v2" } },
    ],
    ["model-registry://model-registry.kubeflow.svc.cluster.local:8080/fraud", { model: model("fraud"), selector: { kind: "latest" } }],
    ["model-registry://registry.example.com/fraud/v2", { model: model("fraud"), selector: { kind: "version", version: "v2" } }],
    ["model-registry://[::1]:8080/fraud", { model: model("fraud"), selector: { kind: "latest" } }],
    ["model-registry://localhost:8080/fraud@production", { model: model("fraud"), selector: { kind: "alias", alias: "production" } }],
    ["model-registry://fraud/v2?revision=3", { model: model("fraud"), selector: { kind: "version", version: "v2" } }],
    ["model-registry://registry:8080/fraud?x=1/2", { model: model("fraud"), selector: { kind: "latest" } }],
    ["model-registry://fraud%2Feu/1.0", { model: model("fraud/eu"), selector: { kind: "version", version: "1.0" } }],
    ["model-registry://team:fraud/v1", { model: model("team:fraud"), selector: { kind: "version", version: "v1" } }],
  ])("parses %s", (uri, ref) => {
    expect(parseModelUri(uri)).toEqual(ref);
  });

  it.each([
    "s3://bucket/model",
    "model-registry://",
    "model-registry://host:80/",
    "model-registry://fraud/",
    "model-registry://a/b/c/d",
    "model-registry://fraud@prod/v1",
    "model-registry://%E0/v1",
  ])("refuses %s", (uri) => {
    expect(() => parseModelUri(uri)).toThrow(InvalidArgumentError);
  });
});
