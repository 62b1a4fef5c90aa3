import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { EventType, type ResourceSnapshot, type WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { describe, describeSnapshot } from "./events-command.js";
import { artifactStateText, stateText, timeText } from "./format.js";
import { type FixedColumn, formatFixedRow } from "./table.js";

/** A stream message as one line of the columns; undefined for the ones that are only status. */
export function watchLine(response: WatchResponse, columns: FixedColumn[]): string | undefined {
  const k = response.kind;
  switch (k.case) {
    case "event": {
      const e = k.value;
      // The state is news on STATE_CHANGED and part of the picture on CREATED; other lines leave it out.
      const state = e.type === EventType.STATE_CHANGED || e.type === EventType.CREATED ? snapshotState(e.resource) : "";
      return formatFixedRow(columns, [
        e.revision.toString(),
        timeText(e.time),
        EventType[e.type],
        state,
        e.resourceName,
        describe(e),
        e.actor,
        e.reason,
      ]);
    }
    case "initial": {
      // A current object has no revision of its own (the SYNCED line on stderr gives the one it was read at).
      const value = k.value.resource.value as { name?: string; updateTime?: Timestamp } | undefined;
      return formatFixedRow(columns, [
        "",
        timeText(value?.updateTime),
        "INITIAL",
        snapshotState(k.value),
        value?.name ?? "",
        describeSnapshot(k.value),
        "",
        "",
      ]);
    }
    default:
      return undefined;
  }
}

/** LIVE, ARCHIVED, or an artifact's state; empty for resources without one. */
export function snapshotState(s: ResourceSnapshot | undefined): string {
  const r = s?.resource;
  switch (r?.case) {
    case "registeredModel":
    case "modelVersion":
    case "experiment":
      return stateText(r.value.state);
    case "modelArtifact":
    case "artifact":
      return artifactStateText(r.value.state);
    default:
      return "";
  }
}
