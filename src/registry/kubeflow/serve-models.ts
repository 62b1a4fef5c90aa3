import { reportStatus } from "../serving/services.js";
import { InvalidArgumentError, NotFoundError } from "../core/errors.js";
import { inTransaction, unitOf } from "../shared/registry.js";

import type { ExtrasPatch } from "./extras.js";

import type { Extras, KubeflowRecord } from "../core/record-types.js";
import type { InferenceService, CallContext } from "../core/types.js";
import type { Registry } from "../shared/registry.js";
import type { RecordInput } from "./records.js";
import { insertRecord } from "./records.js";
import { EXECUTION_STATES } from "../shared/list-specs.js";

/**
 * Kubeflow's ServeModel: a record that an inference service served a model version, with the
 * serving action's last known state. Recording one is also the controller's status report of the
 * service (ReportDeploymentStatus): serving version, ready when RUNNING, COMPLETE or CACHED, and
 * observed revision = the current spec revision, in the same transaction, so Watch and gRPC
 * readers see the status change.
 */

export interface ServeInput {
  modelVersionId: number;
  lastKnownState: string | undefined;
  record: Omit<RecordInput, "state" | "uri">;
}

const READY_STATES = new Set(["RUNNING", "COMPLETE", "CACHED"]);

export async function createServe(
  registry: Registry,
  serviceId: number,
  input: ServeInput,
  extras: ExtrasPatch,
  ctx: CallContext,
): Promise<{ record: KubeflowRecord; extras: Extras | undefined; service: InferenceService }> {
  const state = input.lastKnownState ?? "UNKNOWN";
  if (!(EXECUTION_STATES as readonly string[]).includes(state)) {
    throw InvalidArgumentError.field("lastKnownState", `must be one of ${EXECUTION_STATES.join(", ")}`);
  }
  return unitOf(registry).write(async (w) => {
    const service = await w.deployments.getService(serviceId);
    if (!service) throw new NotFoundError(`inference service ${serviceId}`);
    const version = await w.getVersion(input.modelVersionId);
    if (!version) throw new NotFoundError(`model version ${input.modelVersionId}`);
    const { record, extras: written } = await insertRecord(
      registry,
      w,
      "serve-model",
      { type: "inference-service", id: serviceId },
      { ...input.record, uri: "", state, fields: { ...input.record.fields, modelVersionId: String(version.id) } },
      extras,
      ctx,
    );
    const reported = await reportStatus(
      inTransaction(registry, w),
      { environmentId: service.environmentId, id: service.id },
      {
        servingVersion: { model: { id: version.modelId }, selector: { kind: "id", id: version.id } },
        ready: READY_STATES.has(state),
        url: service.status.url,
        observedRevision: service.specRevision,
        message: `ServeModel ${record.id}: ${state}`,
      },
      ctx,
    );
    return { record, extras: written, service: reported };
  });
}
