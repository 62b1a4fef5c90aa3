import type { Selectable } from "kysely";
import type {
  ArtifactState,
  JsonObject,
  MetadataValue,
  ModelArtifact,
  ModelVersion,
  Properties,
  RegisteredModel,
  State,
} from "../../registry/core/types.js";
import { toBigInt, toNumber } from "./dialect.js";
import type { ModelArtifactsTable, ModelVersionsTable, PropertiesTable, RegisteredModelsTable } from "./schema.js";

/** Row <-> domain mapping, including the engines' integer representations. */

export type PropertyRow = Selectable<PropertiesTable>;

export function propertyToRow(resourceId: number, key: string, value: MetadataValue) {
  const row = {
    resource_id: resourceId,
    key,
    value_type: value.type,
    string_value: null as string | null,
    int_value: null as bigint | null,
    number_value: null as number | null,
    bool_value: null as number | null,
    struct_value: null as string | null,
  };
  switch (value.type) {
    case "string":
      row.string_value = value.value;
      break;
    case "int":
      row.int_value = value.value;
      row.number_value = Number(value.value);
      break;
    case "double":
      row.number_value = value.value;
      break;
    case "bool":
      row.bool_value = value.value ? 1 : 0;
      break;
    case "struct":
      row.struct_value = JSON.stringify(value.value);
      break;
  }
  return row;
}

export function rowToProperty(row: PropertyRow): MetadataValue {
  switch (row.value_type) {
    case "string":
      return { type: "string", value: row.string_value ?? "" };
    case "int":
      return { type: "int", value: toBigInt(row.int_value ?? 0) };
    case "double":
      return { type: "double", value: Number(row.number_value) };
    case "bool":
      return { type: "bool", value: toNumber(row.bool_value ?? 0) !== 0 };
    case "struct":
      return { type: "struct", value: JSON.parse(row.struct_value ?? "{}") as JsonObject };
    default:
      throw new Error(`unknown property type in database: ${row.value_type}`);
  }
}

const time = (v: bigint | number | string) => new Date(toNumber(v));

export function rowToModel(row: Selectable<RegisteredModelsTable>, labels: Record<string, string>, customProperties: Properties): RegisteredModel {
  return {
    id: toNumber(row.id),
    displayName: row.display_name,
    description: row.description,
    owner: row.owner,
    state: row.state as State,
    labels,
    customProperties,
    readme: row.readme,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
  };
}

export function modelToRow(m: RegisteredModel) {
  return {
    id: m.id,
    display_name: m.displayName,
    description: m.description,
    owner: m.owner,
    state: m.state,
    readme: m.readme,
    create_time: m.createTime.getTime(),
    update_time: m.updateTime.getTime(),
    revision: m.revision,
  };
}

export type VersionRow = Selectable<ModelVersionsTable> & { model_display_name: string };

export function rowToVersion(row: VersionRow, customProperties: Properties): ModelVersion {
  return {
    id: toNumber(row.id),
    modelId: toNumber(row.model_id),
    modelDisplayName: row.model_display_name,
    version: row.version,
    description: row.description,
    author: row.author,
    state: row.state as State,
    customProperties,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
  };
}

export function versionToRow(v: ModelVersion) {
  return {
    id: v.id,
    model_id: v.modelId,
    version: v.version,
    description: v.description,
    author: v.author,
    state: v.state,
    create_time: v.createTime.getTime(),
    update_time: v.updateTime.getTime(),
    revision: v.revision,
  };
}

export function rowToArtifact(row: Selectable<ModelArtifactsTable>, customProperties: Properties): ModelArtifact {
  return {
    id: toNumber(row.id),
    versionId: row.version_id === null ? null : toNumber(row.version_id),
    modelId: row.model_id === null ? null : toNumber(row.model_id),
    displayName: row.display_name,
    description: row.description,
    uri: row.uri,
    modelFormatName: row.model_format_name,
    modelFormatVersion: row.model_format_version,
    storageKey: row.storage_key,
    storagePath: row.storage_path,
    serviceAccountName: row.service_account_name,
    state: row.state as ArtifactState,
    digest: row.digest,
    customProperties,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
  };
}

export function artifactToRow(a: ModelArtifact) {
  return {
    id: a.id,
    version_id: a.versionId,
    model_id: a.modelId,
    display_name: a.displayName,
    description: a.description,
    uri: a.uri,
    model_format_name: a.modelFormatName,
    model_format_version: a.modelFormatVersion,
    storage_key: a.storageKey,
    storage_path: a.storagePath,
    service_account_name: a.serviceAccountName,
    state: a.state,
    digest: a.digest,
    create_time: a.createTime.getTime(),
    update_time: a.updateTime.getTime(),
    revision: a.revision,
  };
}
