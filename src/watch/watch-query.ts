import { InvalidArgumentError } from "../registry/core/errors.js";
import type { FilterExpr, FilterSchema } from "../registry/filter/ast.js";
import { evaluateFilter, resourceFilterSubject } from "../registry/filter/evaluate.js";
import { parseFilter } from "../registry/filter/parser.js";
import {
  ALIAS_LIST,
  ENVIRONMENT_LIST,
  EXPERIMENT_LIST,
  RUN_LIST,
  SERVICE_LIST,
  ARTIFACT_LIST,
  MODEL_LIST,
  VERSION_LIST,
  RECORD_LIST,
  SERVE_LIST,
} from "../registry/shared/list-specs.js";

import type { EventType, RegistryEvent, ResourceType } from "../registry/core/types.js";

/**
 * Every resource type, in the order send_initial streams them (parents first). A Record so that
 * a new ResourceType cannot be forgotten here.
 */
const RESOURCE_TYPE_ORDER: Readonly<Record<ResourceType, number>> = {
  RegisteredModel: 0,
  ModelVersion: 1,
  ModelArtifact: 2,
  Alias: 3,
  Experiment: 4,
  ExperimentRun: 5,
  ServingEnvironment: 6,
  InferenceService: 7,
  Artifact: 8,
  ServeModel: 9,
  Webhook: 10,
};

export const RESOURCE_TYPES: readonly ResourceType[] = (Object.keys(RESOURCE_TYPE_ORDER) as ResourceType[]).sort(
  (a, b) => RESOURCE_TYPE_ORDER[a] - RESOURCE_TYPE_ORDER[b],
);

/** Every event type (a Record so that a new EventType cannot be forgotten). */
const EVENT_TYPE_SET: Readonly<Record<EventType, true>> = {
  CREATED: true,
  UPDATED: true,
  STATE_CHANGED: true,
  DELETED: true,
  ALIAS_SET: true,
  ALIAS_DELETED: true,
};

export const EVENT_TYPES: readonly EventType[] = Object.keys(EVENT_TYPE_SET) as EventType[];

/**
 * The filter language of each resource type on Watch: the schema of its List, so a filter
 * selects the same resources in both. Types without an entry cannot be filtered yet.
 */
const FILTER_SCHEMAS: Partial<Record<ResourceType, FilterSchema>> = {
  RegisteredModel: MODEL_LIST.filter,
  // A version's aliases, its model's name and the run that produced it live in other resources:
  // moving an alias or renaming the model changes no version, so a watch could not see versions
  // enter or leave such a set. Watch Alias events, or scope the watch by registered_model.
  ModelVersion: withoutAttributes(
    VERSION_LIST.filter,
    ["alias", "registered_model_display_name", "experiment_run_id"],
    "cannot be watched on ModelVersion: it lives in another resource, whose changes do not change the version (watch Alias events, or set registered_model)",
  ),
  ModelArtifact: ARTIFACT_LIST.filter,
  Alias: ALIAS_LIST.filter,
  Experiment: EXPERIMENT_LIST.filter,
  ExperimentRun: RUN_LIST.filter,
  ServingEnvironment: ENVIRONMENT_LIST.filter,
  InferenceService: withoutAttributes(
    SERVICE_LIST.filter,
    ["registered_model", "serving_model_version_id"],
    "cannot be watched on InferenceService: it is not part of the service's events (set registered_model on the watch)",
  ),
  Artifact: RECORD_LIST.filter,
  ServeModel: SERVE_LIST.filter,
};

/**
 * A list's filter schema minus attributes that an event snapshot does not carry (they are joined
 * in by the list query): a watch filter on them is INVALID_ARGUMENT rather than never matching.
 */
function withoutAttributes(schema: FilterSchema, names: readonly string[], why: string): FilterSchema {
  const dropped = Object.entries(schema.attributes).filter(([, a]) => names.includes(a.name));
  const attributes = Object.fromEntries(Object.entries(schema.attributes).filter(([, a]) => !names.includes(a.name)));
  return { ...schema, attributes, unsupported: { ...schema.unsupported, ...Object.fromEntries(dropped.map(([spelling]) => [spelling, why])) } };
}

/** Validates resource type names; empty means every type. Duplicates collapse. */
export function parseResourceTypes(names: readonly string[], field = "resource_types"): ResourceType[] | null {
  if (names.length === 0) return null;
  const types = new Set<ResourceType>();
  names.forEach((name, i) => {
    if (!Object.hasOwn(RESOURCE_TYPE_ORDER, name)) {
      throw InvalidArgumentError.field(`${field}[${i}]`, `unknown resource type "${name}"; expected one of ${RESOURCE_TYPES.join(", ")}`);
    }
    types.add(name as ResourceType);
  });
  return [...types].sort((a, b) => RESOURCE_TYPE_ORDER[a] - RESOURCE_TYPE_ORDER[b]);
}

/** Validates event type names; empty means every type. */
export function parseEventTypes(names: readonly string[], field = "types"): EventType[] | null {
  if (names.length === 0) return null;
  return names.map((name, i) => {
    if (!Object.hasOwn(EVENT_TYPE_SET, name)) throw InvalidArgumentError.field(`${field}[${i}]`, `unknown event type "${name}"`);
    return name as EventType;
  });
}

/** Checks what a webhook selects, in the Watch language: its event types, resource types and filter. */
export function checkWebhookSelection(selection: { eventTypes: string[]; resourceTypes: string[]; filter: string }): void {
  parseEventTypes(selection.eventTypes, "webhook.event_types");
  parseWatchFilter(selection.filter, parseResourceTypes(selection.resourceTypes, "webhook.resource_types"));
}

/** A validated watch: what it selects. */
export interface WatchSelection {
  /** null: every type. */
  types: ResourceType[] | null;
  modelId?: number;
  /** With the one type it applies to. */
  filter: { type: ResourceType; expr: FilterExpr } | null;
}

/** Parses the filter of a watch against the schema of its single resource type. */
export function parseWatchFilter(text: string, types: ResourceType[] | null): WatchSelection["filter"] {
  if (text.trim() === "") return null;
  if (!types || types.length !== 1) {
    throw InvalidArgumentError.field("filter", "needs exactly one entry in resource_types: field names depend on the resource type");
  }
  const type = types[0]!;
  const schema = FILTER_SCHEMAS[type];
  if (!schema) throw InvalidArgumentError.field("filter", `filters on ${type} are not supported yet`);
  const expr = parseFilter(text, schema);
  return expr ? { type, expr } : null;
}

/**
 * Whether an event belongs to a watch. With a filter, an event matches when the resource after
 * the change matches, or the resource before it did: the client sees resources enter and leave
 * the filtered set (a DELETED event carries the resource as it was).
 */
export function eventMatcher(selection: WatchSelection): (event: RegistryEvent) => boolean {
  const types = selection.types ? new Set<string>(selection.types) : null;
  const { modelId, filter } = selection;
  return (event) => {
    if (types && !types.has(event.resource.type)) return false;
    if (modelId !== undefined && event.modelId !== modelId) return false;
    if (!filter) return true;
    if (evaluateFilter(filter.expr, resourceFilterSubject(event.resource.value))) return true;
    return event.previous !== null && evaluateFilter(filter.expr, resourceFilterSubject(event.previous.value));
  };
}
