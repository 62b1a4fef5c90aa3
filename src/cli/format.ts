import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { ArtifactState, type MetadataValue, State } from "../../gen/modelregistry/v1/resources_pb.js";
import { formatTable } from "./table.js";

/** A resource as proto3 JSON, the --json output (the same JSON the Connect protocol carries). */
export function json<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): unknown {
  return toJson(schema, message, { alwaysEmitImplicit: false });
}

/** "LIVE", "ARCHIVED"; empty when unspecified. */
export function stateText(state: State): string {
  return state === State.UNSPECIFIED ? "" : State[state];
}

/** "LIVE", "PENDING", ...; "UNKNOWN" when unspecified (Kubeflow's name for it). */
export function artifactStateText(state: ArtifactState): string {
  return state === ArtifactState.UNSPECIFIED ? "UNKNOWN" : ArtifactState[state];
}

/** A timestamp as `2026-01-31 14:05:09` (UTC), short enough for a table column. */
export function timeText(ts: Timestamp | undefined): string {
  if (!ts) return "";
  return timestampDate(ts)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

/** A metadata value as text: numbers as written, structs as compact JSON. */
export function valueText(value: MetadataValue | undefined): string {
  const k = value?.kind;
  switch (k?.case) {
    case "stringValue":
      return k.value;
    case "intValue":
      return k.value.toString();
    case "doubleValue":
      return String(k.value);
    case "boolValue":
      return String(k.value);
    case "structValue":
      return JSON.stringify(unwrapList(k.value));
    default:
      return "";
  }
}

/** The type of a metadata value: string, int, double, bool or struct. */
export function valueType(value: MetadataValue | undefined): string {
  return value?.kind.case?.replace("Value", "") ?? "";
}

/** Lists are stored as a struct `{"$list": [...]}` (the Python SDK's convention): show the list. */
function unwrapList(struct: unknown): unknown {
  if (struct && typeof struct === "object" && !Array.isArray(struct)) {
    const keys = Object.keys(struct);
    const list = (struct as Record<string, unknown>).$list;
    if (keys.length === 1 && Array.isArray(list)) return list;
  }
  return struct;
}

/** Custom properties as a METADATA table sorted by key, after a blank line; undefined when there are none. */
export function metadataTable(properties: Record<string, MetadataValue>): string | undefined {
  const props = Object.entries(properties).sort(([a], [b]) => a.localeCompare(b));
  if (props.length === 0) return undefined;
  return `\n${formatTable(
    ["METADATA", "VALUE", "TYPE"],
    props.map(([k, v]) => [k, valueText(v), valueType(v)]),
  )}`;
}
