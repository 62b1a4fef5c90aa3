import { create } from "@bufbuild/protobuf";
import {
  DesiredState as PbDesiredState,
  type InferenceService as PbInferenceService,
  InferenceServiceSchema,
  type ServingEnvironment as PbServingEnvironment,
  ServingEnvironmentSchema,
} from "../../../gen/modelregistry/v1/deployments_pb.js";
import type { ServiceInput } from "../../registry/serving/services.js";
import { environmentName, inferenceServiceName } from "../../registry/core/resource-names.js";
import type { DesiredState, InferenceService, ServingEnvironment } from "../../registry/core/types.js";
import { modelName } from "../../registry/core/names.js";
import { describedIn, enumIn, optionalVersionName, ts, withDescribed, withStored } from "../shared/convert.js";
import type { EnvironmentInput } from "../../registry/serving/environments.js";

/** Proto <-> domain for serving environments and inference services. */

export function environmentIn(p: PbServingEnvironment | undefined): EnvironmentInput {
  const e = p ?? create(ServingEnvironmentSchema);
  return {
    labels: { ...e.labels },
    ...describedIn(e, "serving_environment"),
  };
}

export function environmentOut(e: ServingEnvironment): PbServingEnvironment {
  return withDescribed(withStored(create(ServingEnvironmentSchema, { labels: e.labels }), environmentName(e.id), e), e);
}

export function serviceIn(p: PbInferenceService | undefined): ServiceInput {
  const s = p ?? create(InferenceServiceSchema);
  return {
    registeredModel: s.registeredModel,
    modelVersion: s.modelVersion,
    alias: s.alias,
    runtime: s.runtime,
    desiredState: enumIn<DesiredState>("inference_service.desired_state", s.desiredState, PbDesiredState, ["DEPLOYED", "UNDEPLOYED"]),
    labels: { ...s.labels },
    ...describedIn(s, "inference_service"),
  };
}

export function serviceOut(s: InferenceService): PbInferenceService {
  const message = create(InferenceServiceSchema, {
    servingEnvironment: environmentName(s.environmentId),
    registeredModel: modelName(s.modelId),
    modelVersion: optionalVersionName(s.modelId, s.versionId),
    alias: s.alias,
    runtime: s.runtime,
    desiredState: PbDesiredState[s.desiredState],
    labels: s.labels,
    targetModelVersion: optionalVersionName(s.modelId, s.targetVersionId),
    specRevision: BigInt(s.specRevision),
    status: {
      servingModelVersion: optionalVersionName(s.modelId, s.status.servingVersionId),
      ready: s.status.ready,
      url: s.status.url,
      observedRevision: BigInt(s.status.observedRevision),
      message: s.status.message,
      reportTime: ts(s.status.reportTime),
      reporter: s.status.reporter,
    },
  });
  return withDescribed(withStored(message, inferenceServiceName(s.environmentId, s.id), s), s);
}
