import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import type { MetadataValue } from "../../../gen/modelregistry/v1/resources_pb.js";
import { State } from "../../../gen/modelregistry/v1/resources_pb.js";

/** A metadata value as text: numbers with fixed decimals, structs as JSON. */
export function formatValue(value: MetadataValue | undefined): string {
  const kind = value?.kind;
  switch (kind?.case) {
    case "doubleValue":
      return Number.isInteger(kind.value) ? kind.value.toFixed(1) : kind.value.toFixed(4);
    case "intValue":
      return kind.value.toString();
    case "boolValue":
      return kind.value ? "true" : "false";
    case "stringValue":
      return kind.value;
    case "structValue":
      return JSON.stringify(kind.value);
    default:
      return "";
  }
}

/** The value as a number, for sorting and charts (undefined for text). */
export function numericValue(value: MetadataValue | undefined): number | undefined {
  const kind = value?.kind;
  if (kind?.case === "doubleValue") return kind.value;
  if (kind?.case === "intValue") return Number(kind.value);
  return undefined;
}

export function toDate(ts: Timestamp | undefined): Date | undefined {
  return ts ? new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6)) : undefined;
}

/** "3 min ago", "2 d ago"; the absolute time goes into the title. */
export function relativeTime(date: Date, now = Date.now()): string {
  const s = Math.round((now - date.getTime()) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.round(s / 86400)} d ago`;
  return date.toISOString().slice(0, 10);
}

export function stateLabel(state: State): string {
  return state === State.ARCHIVED ? "ARCHIVED" : state === State.LIVE ? "LIVE" : "—";
}

/** The last path segment of a resource name: registeredModels/3 → 3. */
export function idOf(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

/** A server error as the UI shows it: its code, message and machine-readable reason (ErrorInfo). */
export function describeError(error: unknown): { code: string; message: string; reason: string } {
  const e = ConnectError.from(error);
  return { code: Code[e.code] ?? String(e.code), message: e.rawMessage, reason: e.findDetails(ErrorInfoSchema)[0]?.reason ?? "" };
}
