import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type WatchRequestSchema, type WatchResponse, WatchResponseSchema } from "../../gen/modelregistry/v1/events_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";
import { type CliContext, CliUsageError, type ParsedArgs, positionals } from "./cli-context.js";
import { describeError } from "./describe-error.js";
import { json } from "./format.js";
import { type FixedColumn, formatFixedRow } from "./table.js";
import { watchLine } from "./watch-lines.js";

/** Failed connection attempts in a row after which watch gives up (about 25 s with the backoff). */
export const DEFAULT_WATCH_RETRIES = 6;

export const WATCH_USAGE = `usage:
  model-registry watch [--model MODEL] [--from REVISION | --initial] [--resource-type TYPE]... [--filter EXPR]
                       [--wide] [--retries N|forever]

Prints every change as it is committed, one line each in fixed-width columns under a header:
revision, time, type, state, resource, what, actor and reason. After a dropped connection or a
server restart it reconnects and resumes right after the last revision it saw, so no change is
missed or printed twice. Status lines go to stderr, prefixed with "#": where it connected and from
which revision, each disconnect, retry and reconnect.

flags:
  --model MODEL          only this model and its versions and artifacts (display name or registeredModels/{id})
  --from REVISION        start after this revision (default: now)
  --initial              first print the current objects (type INITIAL), then "synced at N", then changes
  --resource-type TYPE   only RegisteredModel, ModelVersion, ModelArtifact, ... (repeatable)
  --filter EXPR          filter language over the resource (needs exactly one --resource-type)
  --wide                 print REASON in full too (WHAT, with names and URIs, is never cut)
  --retries N            failed connection attempts in a row before giving up with exit 1
                         (default ${DEFAULT_WATCH_RETRIES}, backing off from 0.5 s to 10 s); "forever" never gives up
Stop with Ctrl-C. With --json each stream message is one line of proto3 JSON (JSON Lines).
`;

export const WATCH_OPTIONS = {
  model: { type: "string" },
  from: { type: "string" },
  initial: { type: "boolean" },
  "resource-type": { type: "string", multiple: true },
  filter: { type: "string" },
  wide: { type: "boolean" },
  retries: { type: "string" },
} as const;

/**
 * The columns of the text output. Lines are printed as they arrive, so the widths are fixed up
 * front: a revision, a UTC time, the longest event type, the longest model state, and an
 * artifact's resource name with ids of up to four digits. WHAT is never cut: it holds the names
 * and artifact URIs a reader copies, so a longer one pushes the rest of its line right, like a long
 * resource name or actor (the columns after it return to their places on the next lines). REASON,
 * free text of up to 1024 characters, is cut to its column unless --wide.
 */
export const WATCH_COLUMNS: FixedColumn[] = [
  { header: "REVISION", width: 8 },
  { header: "TIME", width: 20 },
  { header: "TYPE", width: 13 },
  { header: "STATE", width: 8 },
  { header: "RESOURCE", width: 50 },
  { header: "WHAT", width: 26 },
  { header: "ACTOR", width: 18 },
  { header: "REASON", width: 40, truncate: true },
];

const WIDE_COLUMNS: FixedColumn[] = WATCH_COLUMNS.map(({ truncate: _, ...c }) => c);

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
  /** Failed connection attempts in a row before giving up (default DEFAULT_WATCH_RETRIES); Infinity never gives up. */
  retries?: number;
  /** Names the server in messages. */
  server?: string;
  /** Print every column in full (REASON is cut to its column otherwise). */
  wide?: boolean;
}

/**
 * Follows the Watch stream until the signal aborts, reconnecting with backoff and resuming from
 * the last event, SYNCED or progress revision seen, and saying so on the status line: where it
 * connected and from which revision, each disconnect and failed attempt, each reconnect. A
 * connection counts as made when its first message arrives (the server sends a progress message
 * as soon as a watch starts). Throws on errors resuming cannot fix (OUT_OF_RANGE after
 * compaction: start again with --initial), and after `retries` failed attempts in a row.
 */
export async function followWatch(
  client: RegistryClient,
  request: MessageInitShape<typeof WatchRequestSchema>,
  options: FollowOptions,
): Promise<void> {
  const { signal } = options;
  const server = options.server ?? "the server";
  const retries = options.retries ?? DEFAULT_WATCH_RETRIES;
  const columns = options.wide ? WIDE_COLUMNS : WATCH_COLUMNS;
  let checkpoint = request.startRevision;
  let initial = request.sendInitial ?? false;
  const firstDelay = options.retryMs ?? 500;
  let delay = firstDelay;
  let headed = options.json;
  let everConnected = false;
  let failures = 0;
  while (!signal.aborted) {
    let connected = false;
    let lastError: unknown;
    try {
      const stream = client.watch({ ...request, sendInitial: initial, startRevision: initial ? undefined : checkpoint }, { signal });
      for await (const response of stream) {
        const k = response.kind;
        if (!connected) {
          connected = true;
          failures = 0;
          delay = firstDelay;
          options.status(connectedLine(server, response, everConnected, checkpoint));
          everConnected = true;
        }
        if (k.case === "event" || k.case === "progress" || k.case === "synced") checkpoint = k.value.revision;
        if (k.case === "synced") initial = false;
        // JSON Lines: compact JSON, one message per line, so `jq` or a script can read it as it streams.
        const line = options.json ? JSON.stringify(json(WatchResponseSchema, response)) : watchLine(response, columns);
        if (line !== undefined && !headed) {
          options.print(
            formatFixedRow(
              columns,
              columns.map((c) => c.header),
            ),
          );
          headed = true;
        }
        if (line !== undefined) options.print(line);
        else if (k.case === "synced") options.status(`synced at revision ${k.value.revision}`);
      }
      if (signal.aborted) return;
      lastError = new ConnectError("the server ended the stream", Code.Unavailable);
    } catch (error) {
      if (signal.aborted) return;
      if (FINAL.has(ConnectError.from(error).code)) throw error;
      lastError = error;
    }
    const why = describeError(lastError, server);
    const resume = initial ? "printing the current objects again" : `resuming after revision ${checkpoint ?? "now"}`;
    if (connected) {
      options.status(`disconnected from ${server}: ${why}; reconnecting in ${delay} ms, then ${resume}`);
    } else {
      failures++;
      if (failures > retries) {
        if (retries > 0) options.status(`giving up after ${retries} ${retries === 1 ? "retry" : "retries"}`);
        throw lastError;
      }
      options.status(`${why}; retry ${failures} of ${retries === Infinity ? "∞" : retries} in ${delay} ms`);
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 10_000);
  }
}

/** The status line once a connection delivers its first message. */
function connectedLine(server: string, first: WatchResponse, again: boolean, checkpoint: bigint | undefined): string {
  const k = first.kind;
  if (k.case === "initial" || k.case === "synced") {
    return `${again ? "reconnected" : "connected"} to ${server}; printing the current objects${again ? " again" : ""}, then changes`;
  }
  const from = k.case === "progress" ? k.value.revision : checkpoint;
  if (again) return `reconnected to ${server}; resuming after revision ${from ?? "now"}`;
  return `connected to ${server}; printing changes after revision ${from ?? "now"}`;
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

/** `--retries N|forever`. */
function retriesFlag(value: unknown): number {
  if (value === undefined) return DEFAULT_WATCH_RETRIES;
  if (value === "forever") return Number.POSITIVE_INFINITY;
  if (typeof value !== "string" || !/^\d+$/.test(value))
    throw new CliUsageError('--retries must be a non-negative integer or "forever"', WATCH_USAGE);
  return Number(value);
}

/** `model-registry watch`: prints changes as they happen until Ctrl-C. */
export async function watchCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  positionals(args, [], WATCH_USAGE);
  const model = (args.values.model as string | undefined) ?? "";
  const from = args.values.from as string | undefined;
  if (from !== undefined && !/^\d+$/.test(from)) throw new CliUsageError("--from must be a revision (a non-negative integer)", WATCH_USAGE);
  if (from !== undefined && args.values.initial) throw new CliUsageError("use either --from or --initial", WATCH_USAGE);
  const retries = retriesFlag(args.values.retries);
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
      retries,
      wide: args.values.wide === true,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    ctx.signal.removeEventListener("abort", onSignal);
  }
}
