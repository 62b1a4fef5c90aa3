import { create, fromBinary, type JsonValue, toBinary, toJson } from "@bufbuild/protobuf";
import { EmptySchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Event as PbEvent,
  EventSchema,
  EventType as PbEventType,
  type ResourceSnapshot,
  ResourceSnapshotSchema,
  type WatchResponse,
  WatchResponseSchema,
} from "../../../gen/modelregistry/v1/events_pb.js";
import { modelName } from "../../registry/core/names.js";
import type { RegistryEvent, Resource } from "../../registry/core/types.js";
import { aliasOut } from "../aliases/alias-convert.js";
import { artifactOut } from "../artifacts/artifact-convert.js";
import { modelOut } from "../models/model-convert.js";
import { versionOut } from "../versions/version-convert.js";
import { environmentOut, serviceOut } from "../serving/serving-convert.js";
import { experimentOut, runOut } from "../lineage/lineage-convert.js";
import { recordArtifactOut, serveModelOut } from "./record-convert.js";
import { webhookOut } from "../webhooks/webhook-convert.js";

type SnapshotCase = ResourceSnapshot["resource"];
type Converters = { [R in Resource as R["type"]]?: (value: R["value"]) => SnapshotCase };

/**
 * Domain resource -> its ResourceSnapshot case. A resource type gets a proto case by adding its
 * message to the ResourceSnapshot oneof (events.proto) and a line here; until then its events
 * carry resource_type and resource_name but no snapshot.
 */
const SNAPSHOTS: Converters = {
  RegisteredModel: (v) => ({ case: "registeredModel", value: modelOut(v) }),
  ModelVersion: (v) => ({ case: "modelVersion", value: versionOut(v) }),
  ModelArtifact: (v) => ({ case: "modelArtifact", value: artifactOut(v) }),
  Alias: (v) => ({ case: "alias", value: aliasOut(v) }),
  Experiment: (v) => ({ case: "experiment", value: experimentOut(v) }),
  ExperimentRun: (v) => ({ case: "experimentRun", value: runOut(v) }),
  ServingEnvironment: (v) => ({ case: "servingEnvironment", value: environmentOut(v) }),
  InferenceService: (v) => ({ case: "inferenceService", value: serviceOut(v) }),
  Artifact: (v) => ({ case: "artifact", value: recordArtifactOut(v) }),
  ServeModel: (v) => ({ case: "serveModel", value: serveModelOut(v) }),
  Webhook: (v) => ({ case: "webhook", value: webhookOut(v) }),
};

/** Resource name of an event. */
export const eventName = (revision: number) => `events/${revision}`;

/** The proto snapshot of a domain resource, or undefined for a type without a proto case yet. */
export function snapshotOut(resource: Resource): ResourceSnapshot | undefined {
  const convert = SNAPSHOTS[resource.type] as ((value: Resource["value"]) => SnapshotCase) | undefined;
  return convert ? create(ResourceSnapshotSchema, { resource: convert(resource.value) }) : undefined;
}

/** Domain event type ("ALIAS_SET") -> proto enum, by name (EVENT_TYPE_ALIAS_SET). */
export function eventTypeOut(type: string): PbEventType {
  const byName: Record<string, number | string> = PbEventType;
  const value = byName[type];
  return typeof value === "number" && type !== "UNSPECIFIED" ? (value as PbEventType) : PbEventType.UNSPECIFIED;
}

/** Proto enum -> domain event type name; "" for UNSPECIFIED or unknown numbers. */
export function eventTypeIn(type: PbEventType): string {
  const name = PbEventType[type];
  return name === undefined || type === PbEventType.UNSPECIFIED ? "" : name;
}

export function eventOut(event: RegistryEvent): PbEvent {
  return create(EventSchema, {
    name: eventName(event.revision),
    revision: BigInt(event.revision),
    type: eventTypeOut(event.type),
    resourceType: event.resource.type,
    resourceName: event.resourceName,
    registeredModel: event.modelId === null ? "" : modelName(event.modelId),
    actor: event.actor,
    reason: event.reason,
    time: timestampFromDate(event.time),
    resource: snapshotOut(event.resource),
    previous: event.previous ? snapshotOut(event.previous) : undefined,
  });
}

/** The event as Watch's JSON clients and the audit log carry it (a webhook delivery's data). */
export const eventJson = (event: RegistryEvent): JsonValue => toJson(EventSchema, eventOut(event));

/**
 * The frame of one event on every Watch stream, built once by the hub and shared. `message`
 * serves JSON clients (connect-node serialises it per stream); `binary()` is the same response
 * pre-encoded once: a WatchResponse whose fields are all "unknown" raw bytes, which protobuf-es
 * writes out verbatim, so every binary stream (gRPC, gRPC-Web, Connect proto) just copies them.
 */
export interface WatchFrame {
  message: WatchResponse;
  binary(): WatchResponse;
}

export function createWatchFrame(event: RegistryEvent): WatchFrame {
  const message = create(WatchResponseSchema, { kind: { case: "event", value: eventOut(event) } });
  let encoded: WatchResponse | undefined;
  return {
    message,
    binary: () => (encoded ??= preEncoded(message)),
  };
}

function preEncoded(message: WatchResponse): WatchResponse {
  const bytes = toBinary(WatchResponseSchema, message);
  const shell = create(WatchResponseSchema);
  // Parsing with a schema that has no fields keeps every field as an unknown (raw) field.
  shell.$unknown = fromBinary(EmptySchema, bytes).$unknown;
  return shell;
}
