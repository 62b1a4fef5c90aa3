import type { FilterSchema } from "../filter/ast.js";

/** What one resource's lists accept: filter attributes and order_by fields. */
export interface ListSpec {
  filter: FilterSchema;
  /** order_by spelling (lower case) -> canonical sortable attribute. */
  sort: Record<string, string>;
}

const STATES = ["LIVE", "ARCHIVED"] as const;
export const ARTIFACT_STATES = ["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"] as const;

type Attributes = FilterSchema["attributes"];

/** Builders of filter attributes, for every resource's list spec. */
export const str = (name: string) => ({ name, type: "string" as const });
export const int = (name: string) => ({ name, type: "int" as const });
export const time = (name: string) => ({ name, type: "time" as const });
export const oneOf = (name: string, values: readonly string[]) => ({ name, type: "enum" as const, values });
export const liveOrArchived = oneOf("state", STATES);

/** The attributes and order_by fields of every stored resource: its id and times. */
export const COMMON_ATTRIBUTES = { id: int("id"), create_time: time("create_time"), update_time: time("update_time") };
export const COMMON_SORT = { id: "id", create_time: "create_time", update_time: "update_time" };

/**
 * The list spec of a resource with a display name and a description (`name` means the display
 * name, as in Kubeflow's filterQuery), with its own attributes and order_by fields besides.
 */
export function displayNamedList(attributes: Attributes, labels: boolean, sort: Record<string, string> = {}): ListSpec {
  return {
    filter: {
      attributes: {
        ...COMMON_ATTRIBUTES,
        name: str("display_name"),
        display_name: str("display_name"),
        description: str("description"),
        ...attributes,
      },
      labels,
    },
    sort: { ...COMMON_SORT, name: "display_name", display_name: "display_name", ...sort },
  };
}

/** `name` means the display name, as in Kubeflow's filterQuery. */
export const MODEL_LIST: ListSpec = displayNamedList({ owner: str("owner"), state: liveOrArchived }, true);

/** `name` means the version string, as in Kubeflow's filterQuery. */
export const VERSION_LIST: ListSpec = {
  filter: {
    attributes: {
      ...COMMON_ATTRIBUTES,
      name: str("version"),
      version: str("version"),
      description: str("description"),
      author: str("author"),
      state: liveOrArchived,
      registered_model_id: int("registered_model_id"),
      registered_model: str("registered_model_display_name"),
      model: str("registered_model_display_name"),
      // Held in other tables (see VERSION_RELATED in kysely-reader.ts): true when any row matches.
      alias: { ...str("alias"), related: true },
      experiment_run_id: { ...int("experiment_run_id"), related: true },
    },
    labels: false,
  },
  sort: { ...COMMON_SORT, name: "version", version: "version" },
};

export const ARTIFACT_LIST: ListSpec = displayNamedList(
  {
    uri: str("uri"),
    model_format_name: str("model_format_name"),
    model_format_version: str("model_format_version"),
    storage_key: str("storage_key"),
    storage_path: str("storage_path"),
    service_account_name: str("service_account_name"),
    digest: str("digest"),
    state: oneOf("state", ARTIFACT_STATES),
  },
  false,
);

/** Aliases, lineage and serving. */

export const ALIAS_LIST: ListSpec = {
  filter: {
    attributes: {
      ...COMMON_ATTRIBUTES,
      alias: str("alias"),
      name: str("alias"),
      version: str("version"),
      registered_model: str("registered_model"),
      registered_model_id: int("registered_model_id"),
      model_version_id: int("model_version_id"),
    },
    labels: false,
  },
  sort: { ...COMMON_SORT, alias: "alias", name: "alias" },
};

/** `time` (alias create_time) is when the change was committed. */
export const ALIAS_HISTORY_LIST: ListSpec = {
  filter: {
    attributes: {
      id: int("id"),
      revision: int("revision"),
      time: time("time"),
      create_time: time("time"),
      alias: str("alias"),
      type: oneOf("type", ["SET", "DELETED"]),
      actor: str("actor"),
      reason: str("reason"),
      version: str("version"),
      model_version_id: int("model_version_id"),
      registered_model_id: int("registered_model_id"),
    },
    labels: false,
  },
  sort: { id: "id", revision: "revision", time: "time", create_time: "time", alias: "alias" },
};

export const EXPERIMENT_LIST: ListSpec = displayNamedList({ owner: str("owner"), state: liveOrArchived }, true);

export const RUN_LIST: ListSpec = displayNamedList(
  {
    author: str("author"),
    status: oneOf("status", ["RUNNING", "FINISHED", "FAILED", "KILLED"]),
    experiment_id: int("experiment_id"),
    start_time: time("start_time"),
    end_time: time("end_time"),
  },
  false,
  { start_time: "start_time" },
);

/** Logged metric values; the default order is by step. */
export const METRIC_LIST: ListSpec = {
  filter: {
    attributes: { key: str("key"), name: str("key"), step: int("step"), time: time("time") },
    labels: false,
  },
  sort: { step: "step", time: "time", key: "key", value: "value", id: "id" },
};

export const ENVIRONMENT_LIST: ListSpec = displayNamedList({}, true);

export const SERVICE_LIST: ListSpec = displayNamedList(
  {
    runtime: str("runtime"),
    alias: str("alias"),
    desired_state: oneOf("desired_state", ["DEPLOYED", "UNDEPLOYED"]),
    registered_model: str("registered_model"),
    registered_model_id: int("registered_model_id"),
    model_version_id: int("model_version_id"),
    serving_model_version_id: int("serving_model_version_id"),
    serving_environment_id: int("serving_environment_id"),
  },
  true,
);

/** Kubeflow's records, whose changes Watch and the audit log carry like any other resource's. */
export const EXECUTION_STATES = ["UNKNOWN", "NEW", "RUNNING", "COMPLETE", "FAILED", "CACHED", "CANCELED"] as const;

/** Doc, dataset, metric and parameter artifacts. `name` is the display name, as in Kubeflow. */
export const RECORD_LIST: ListSpec = displayNamedList(
  {
    uri: str("uri"),
    state: oneOf("state", ARTIFACT_STATES),
    artifact_type: oneOf("artifact_type", ["doc-artifact", "dataset-artifact", "metric", "parameter"]),
  },
  false,
);

/** ServeModel records; their state is an ExecutionState (lastKnownState). */
export const SERVE_LIST: ListSpec = displayNamedList(
  { state: oneOf("state", EXECUTION_STATES), last_known_state: oneOf("state", EXECUTION_STATES) },
  false,
);
