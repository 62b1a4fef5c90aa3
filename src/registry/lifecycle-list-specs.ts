import type { ListSpec } from "./list-specs.js";

/** Filter attributes and order_by fields of the lifecycle, lineage and deployment lists. */

const STATES = ["LIVE", "ARCHIVED"] as const;
const str = (name: string) => ({ name, type: "string" as const });
const int = (name: string) => ({ name, type: "int" as const });
const time = (name: string) => ({ name, type: "time" as const });
const common = { id: int("id"), create_time: time("create_time"), update_time: time("update_time") };
const commonSort = { id: "id", create_time: "create_time", update_time: "update_time" };

export const ALIAS_LIST: ListSpec = {
  filter: {
    attributes: {
      ...common,
      alias: str("alias"),
      name: str("alias"),
      version: str("version"),
      registered_model: str("registered_model"),
      registered_model_id: int("registered_model_id"),
      model_version_id: int("model_version_id"),
    },
    labels: false,
  },
  sort: { ...commonSort, alias: "alias", name: "alias" },
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
      type: { name: "type", type: "enum", values: ["SET", "DELETED"] },
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

export const EXPERIMENT_LIST: ListSpec = {
  filter: {
    attributes: {
      ...common,
      name: str("display_name"),
      display_name: str("display_name"),
      description: str("description"),
      owner: str("owner"),
      state: { name: "state", type: "enum", values: STATES },
    },
    labels: true,
  },
  sort: { ...commonSort, name: "display_name", display_name: "display_name" },
};

export const RUN_LIST: ListSpec = {
  filter: {
    attributes: {
      ...common,
      name: str("display_name"),
      display_name: str("display_name"),
      description: str("description"),
      author: str("author"),
      status: { name: "status", type: "enum", values: ["RUNNING", "FINISHED", "FAILED", "KILLED"] },
      experiment_id: int("experiment_id"),
      start_time: time("start_time"),
      end_time: time("end_time"),
    },
    labels: false,
  },
  sort: { ...commonSort, name: "display_name", display_name: "display_name", start_time: "start_time" },
};

/** Logged metric values; the default order is by step. */
export const METRIC_LIST: ListSpec = {
  filter: {
    attributes: { key: str("key"), name: str("key"), step: int("step"), time: time("time") },
    labels: false,
  },
  sort: { step: "step", time: "time", key: "key", value: "value", id: "id" },
};

export const ENVIRONMENT_LIST: ListSpec = {
  filter: {
    attributes: { ...common, name: str("display_name"), display_name: str("display_name"), description: str("description") },
    labels: true,
  },
  sort: { ...commonSort, name: "display_name", display_name: "display_name" },
};

export const SERVICE_LIST: ListSpec = {
  filter: {
    attributes: {
      ...common,
      name: str("display_name"),
      display_name: str("display_name"),
      description: str("description"),
      runtime: str("runtime"),
      alias: str("alias"),
      desired_state: { name: "desired_state", type: "enum", values: ["DEPLOYED", "UNDEPLOYED"] },
      registered_model: str("registered_model"),
      registered_model_id: int("registered_model_id"),
      model_version_id: int("model_version_id"),
      serving_model_version_id: int("serving_model_version_id"),
      serving_environment_id: int("serving_environment_id"),
    },
    labels: true,
  },
  sort: { ...commonSort, name: "display_name", display_name: "display_name" },
};
