import { create } from "@bufbuild/protobuf";
import { RegisterModelRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";

/** The seed example: fraud-detector v2 with its metrics and lineage facts. */
export function seedRegisterRequest(overrides: { name?: string; version?: string; requestId?: string } = {}) {
  return create(RegisterModelRequestSchema, {
    requestId: overrides.requestId ?? "",
    registeredModel: { displayName: overrides.name ?? "fraud-detector", owner: "risk-team" },
    modelVersion: {
      version: overrides.version ?? "v2",
      description: "Retrained with Q4 2025 data, improved precision",
      author: "data-scientist@acme.com",
      customProperties: {
        accuracy: { kind: { case: "doubleValue", value: 0.967 } },
        precision: { kind: { case: "doubleValue", value: 0.943 } },
        recall: { kind: { case: "doubleValue", value: 0.951 } },
        f1_score: { kind: { case: "doubleValue", value: 0.947 } },
        training_pipeline_run: { kind: { case: "stringValue", value: "run-xyz789" } },
        dataset_version: { kind: { case: "stringValue", value: "fraud-data-q4-2025" } },
      },
    },
    modelArtifacts: [
      {
        uri: `s3://ml-models/${overrides.name ?? "fraud-detector"}/${overrides.version ?? "v2"}/model.onnx`,
        modelFormatName: "onnx",
        modelFormatVersion: "1.14",
      },
    ],
  });
}

/** Runs fn n times concurrently and returns the settled results. */
export function concurrently<T>(n: number, fn: (i: number) => Promise<T>) {
  return Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));
}
