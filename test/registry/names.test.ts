import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/errors.js";
import { decimalId, parseArtifactName, parseModelName, parseModelParent, parseVersionName } from "../../src/registry/names.js";
import { parseEnvironmentName, parseExperimentName, parseInferenceServiceName, parseRunName } from "../../src/registry/lifecycle-names.js";

describe("resource names", () => {
  it("parses model, version and artifact names", () => {
    expect(parseModelName("registeredModels/12")).toBe(12);
    expect(parseVersionName("registeredModels/1/versions/7")).toEqual({ model: { id: 1 }, selector: { kind: "id", id: 7 } });
    expect(parseArtifactName("registeredModels/1/versions/2/artifacts/3")).toEqual({ modelId: 1, versionId: 2, artifactId: 3 });
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
