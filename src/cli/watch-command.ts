import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventType, type WatchRequestSchema, type WatchResponse, WatchResponseSchema } from "../../gen/modelregistry/v1/events_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";
import { type CliContext, CliUsageError, type ParsedArgs, positionals } from "./cli-context.js";
import { describe, describeSnapshot } from "./events-command.js";
import { json, timeText } from "./format.js";
import { type FixedColumn, formatFixedRow } from "./table.js";

export const WATCH_USAGE = `usage:
  model-registry watch [--model MODEL] [--from REVISION | --initial] [--resource-type TYPE]... [--filter EXPR]

Prints every change as it is committed, one line each in fixed-width columns under a header:
revision, time, type, resource, what, actor and reason. It keeps going: after a dropped connection
or a server restart it reconnects and resumes right after the last revision it saw, so no change is
missed or printed twice. Status lines go to stderr, prefixed with "#".
  --model MODEL          only this model and its versions and artifacts (display name or registeredModels/{id})
  --from REVISION        start after this revision (default: now)
  --initial              first print the current objects (type INITIAL), then "synced at N", then changes
  --resource-type TYPE   only RegisteredModel, ModelVersion, ModelArtifact, ... (repeatable)
  --filter EXPR          filter language over the resource (needs exactly one --resource-type)
Stop with Ctrl-C. With --json each stream message is one line of proto3 JSON (JSON Lines).
`;

export const WATCH_OPTIONS = {
  model: { type: "string" },
  from: { type: "string" },
  initial: { type: "boolean" },
  "resource-type": { type: "string", multiple: true },
  filter: { type: "string" },
} as const;

/**
 * The columns of the text output. Lines are printed as they arrive, so the widths are fixed up
 * front: a revision, a UTC time, the longest event type, and an artifact's resource name with ids
 * of up to four digits (`registeredModels/1234/versions/1235/artifacts/1236`). WHAT and REASON are
 * cut to fit; a longer resource name or actor pushes the rest of its line right.
 */
export const WATCH_COLUMNS: FixedColumn[] = [
  { header: "REVISION", width: 8 },
  { header: "TIME", width: 20 },
  { header: "TYPE", width: 13 },
  { header: "RESOURCE", width: 50 },
  { header: "WHAT", width: 26, truncate: true },
  { header: "ACTOR", width: 18 },
  { header: "REASON", width: 40, truncate: true },
];

/** Codes after which resuming cannot help: the request itself is wrong or the history is gone. */
const FINAL = new Set([
  Code.InvalidArgument,
  Code.NotFound,
  Code.OutOfRange,
  Code.FailedPrecondition,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.Unimplemented,
  Code.ResourceExhausted,
]);

export interface FollowOptions {
  /** One line per stream message, on stdout (in text mode, the header first). */
  print(line: string): void;
  /** Connection status, on stderr. */
  status(line: string): void;
  json: boolean;
  signal: AbortSignal;
  /** First reconnect delay, doubled up to 10 s (default 500 ms). */
  retryMs?: number;
  /** Names the server in messages. */
  server?: string;
}

/**
 * Follows the Watch stream until the signal aborts, reconnecting with backoff and resuming from
 * the last event, SYNCED or progress revision seen. Throws on errors resuming cannot fix
 * (OUT_OF_RANGE after compaction: start again with --initial).
 */
export async function followWatch(
  client: RegistryClient,
  request: MessageInitShape<typeof WatchRequestSchema>,
  options: FollowOptions,
): Promise<void> {
  const { signal } = options;
  let checkpoint = request.startRevision;
  let initial = request.sendInitial ?? false;
  const firstDelay = options.retryMs ?? 500;
  let delay = firstDelay;
  let headed = options.json;
  while (!signal.aborted) {
    try {
      const stream = client.watch({ ...request, sendInitial: initial, startRevision: initial ? undefined : checkpoint }, { signal });
      for await (const response of stream) {
        delay = firstDelay;
        const k = response.kind;
        if (k.case === "event" || k.case === "progress" || k.case === "synced") checkpoint = k.value.revision;
        if (k.case === "synced") initial = false;
        // JSON Lines: compact JSON, one message per line, so `jq` or a script can read it as it streams.
        const line = options.json ? JSON.stringify(json(WatchResponseSchema, response)) : text(response);
        if (line !== undefined && !headed) {
          options.print(formatFixedRow(WATCH_COLUMNS, WATCH_COLUMNS.map((c) => c.header)));
          headed = true;
        }
        if (line !== undefined) options.print(line);
        else if (k.case === "synced") options.status(`synced at revision ${k.value.revision}`);
      }
      if (signal.aborted) return;
      options.status(`the stream ended; resuming after revision ${checkpoint ?? "now"}`);
    } catch (error) {
      if (signal.aborted) return;
      const e = ConnectError.from(error);
      if (FINAL.has(e.code)) throw error;
      const why = e.code === Code.Unavailable || e.code === Code.Unknown ? `${options.server ?? "the server"} unavailable` : Code[e.code];
      options.status(`${why} (${e.rawMessage}); resuming after revision ${checkpoint ?? "now"} in ${delay} ms`);
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 10_000);
  }
}

/** A stream message as one line of WATCH_COLUMNS; undefined for the ones that are only status. */
function text(response: WatchResponse): string | undefined {
  const k = response.kind;
  switch (k.case) {
    case "event": {
      const e = k.value;
      return formatFixedRow(WATCH_COLUMNS, [e.revision.toString(), timeText(e.time), EventType[e.type], e.resourceName, describe(e), e.actor, e.reason]);
    }
    case "initial": {
      // A current object has no revision of its own (the SYNCED line on stderr gives the one it was read at).
      const value = k.value.resource.value as { name?: string; updateTime?: Timestamp } | undefined;
      return formatFixedRow(WATCH_COLUMNS, ["", timeText(value?.updateTime), "INITIAL", value?.name ?? "", describeSnapshot(k.value), "", ""]);
    }
    default:
      return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** `model-registry watch`: prints changes as they happen until Ctrl-C. */
export async function watchCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  positionals(args, [], WATCH_USAGE);
  const model = (args.values.model as string | undefined) ?? "";
  const from = args.values.from as string | undefined;
  if (from !== undefined && !/^\d+$/.test(from)) throw new CliUsageError("--from must be a revision (a non-negative integer)", WATCH_USAGE);
  if (from !== undefined && args.values.initial) throw new CliUsageError("use either --from or --initial", WATCH_USAGE);
  const byName = /^registeredModels\/\d+$/.test(model);
  const request: MessageInitShape<typeof WatchRequestSchema> = {
    registeredModel: byName ? model : "",
    registeredModelDisplayName: byName ? "" : model,
    resourceTypes: (args.values["resource-type"] as string[] | undefined) ?? [],
    filter: (args.values.filter as string | undefined) ?? "",
    startRevision: from === undefined ? undefined : BigInt(from),
    sendInitial: args.values.initial === true,
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  ctx.signal.addEventListener("abort", onSignal, { once: true });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await followWatch(ctx.client, request, {
      print: ctx.print,
      status: (line) => ctx.status(`# ${line}`),
      json: ctx.json,
      signal: stop.signal,
      server: ctx.server,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    ctx.signal.removeEventListener("abort", onSignal);
  }
}
