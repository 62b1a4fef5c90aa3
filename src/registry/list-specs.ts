import type { FilterSchema } from "./filter/ast.js";

/** What one resource's lists accept: filter attributes and order_by fields. */
export interface ListSpec {
  filter: FilterSchema;
  /** order_by spelling (lower case) -> canonical sortable attribute. */
  sort: Record<string, string>;
}

const STATES = ["LIVE", "ARCHIVED"] as const;
const ARTIFACT_STATES = ["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"] as const;

const str = (name: string) => ({ name, type: "string" as const });
const common = {
  id: { name: "id", type: "int" as const },
  create_time: { name: "create_time", type: "time" as const },
  update_time: { name: "update_time", type: "time" as const },
};
const commonSort = { id: "id", create_time: "create_time", update_time: "update_time" };

/** `name` means the display name, as in Kubeflow's filterQuery. */
export const MODEL_LIST: ListSpec = {
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

/** `name` means the version string, as in Kubeflow's filterQuery. */
export const VERSION_LIST: ListSpec = {
  filter: {
    attributes: {
      ...common,
      name: str("version"),
      version: str("version"),
      description: str("description"),
      author: str("author"),
      state: { name: "state", type: "enum", values: STATES },
      registered_model_id: { name: "registered_model_id", type: "int" },
      registered_model: str("registered_model_display_name"),
      model: str("registered_model_display_name"),
      // Held in other tables (see VERSION_RELATED in kysely-reader.ts): true when any row matches.
      alias: { ...str("alias"), related: true },
      experiment_run_id: { name: "experiment_run_id", type: "int", related: true },
    },
    labels: false,
  },
  sort: { ...commonSort, name: "version", version: "version" },
};

export const ARTIFACT_LIST: ListSpec = {
  filter: {
    attributes: {
      ...common,
      name: str("display_name"),
      display_name: str("display_name"),
      description: str("description"),
      uri: str("uri"),
      model_format_name: str("model_format_name"),
      model_format_version: str("model_format_version"),
      storage_key: str("storage_key"),
      storage_path: str("storage_path"),
      service_account_name: str("service_account_name"),
      digest: str("digest"),
      state: { name: "state", type: "enum", values: ARTIFACT_STATES },
    },
    labels: false,
  },
  sort: { ...commonSort, name: "display_name", display_name: "display_name" },
};
