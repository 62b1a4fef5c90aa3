import { COMMON_ATTRIBUTES, COMMON_SORT, displayNamedList, int, type ListSpec, liveOrArchived, oneOf, str, time } from "./list-specs.js";

/** Filter attributes and order_by fields of the lifecycle, lineage and deployment lists. */

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
