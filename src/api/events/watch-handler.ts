import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  ListEventsResponseSchema,
  type WatchRequest as WatchRequestMessage,
  type WatchResponse,
  WatchResponseSchema,
  WatchProgressSchema,
  WatchSyncedSchema,
} from "../../../gen/modelregistry/v1/events_pb.js";
import type { ModelRegistryService } from "../../../gen/modelregistry/v1/model_registry_service_pb.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import { parseModelName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { listEvents } from "../../watch/list-events.js";
import type { WatchSink } from "../../watch/sink.js";
import type { WatchOutput, WatchRequest, WatchService } from "../../watch/watch-service.js";
import { READ_FILTER_KEY, readableEvents, STREAM_REVOKED_KEY } from "../shared/auth-interceptor.js";
import { eventOut, eventTypeIn, snapshotOut, type WatchFrame } from "./event-convert.js";
import { createSignalShards } from "../shared/signal-shards.js";
import { streamingWithSink } from "../shared/sink-method.js";

export interface WatchHandlerOptions {
  registry: Registry;
  watch: WatchService<WatchFrame>;
  /** Aborted when the server shuts down: open streams then end with UNAVAILABLE. */
  shutdownSignal: AbortSignal;
}

/** Watch (the change stream) and ListEvents (the audit log). Parse, call, convert. */
export function createWatchHandler(options: WatchHandlerOptions): Pick<ServiceImpl<typeof ModelRegistryService>, "watch" | "listEvents"> {
  const { registry, watch } = options;
  // Each stream's subscription listens to a shard of the shutdown signal (see signal-shards.ts).
  const shutdownShard = createSignalShards(options.shutdownSignal);
  return {
    // connect-node reads the generator form; the grpc-js port writes into its own sink (sink-method.ts).
    watch: streamingWithSink<WatchRequestMessage, WatchResponse>(async (req, ctx, sink) => {
      if (req.registeredModel !== "" && req.registeredModelDisplayName !== "") {
        throw InvalidArgumentError.field("registered_model", "set at most one of registered_model and registered_model_display_name");
      }
      const request: WatchRequest = {
        resourceTypes: req.resourceTypes,
        model:
          req.registeredModel !== ""
            ? { id: parseModelName(req.registeredModel, "registered_model") }
            : req.registeredModelDisplayName !== ""
              ? { displayName: req.registeredModelDisplayName }
              : undefined,
        filter: req.filter,
        startRevision: req.startRevision === undefined ? undefined : revisionIn(req.startRevision),
        sendInitial: req.sendInitial,
        mayRead: ctx.values.get(READ_FILTER_KEY) ?? undefined,
      };
      // Binary protocols (gRPC, gRPC-Web, Connect proto) take the pre-encoded frame; JSON clients the message.
      const binary = prefersBinary(ctx);
      const out: WatchSink<WatchOutput<WatchFrame>> = {
        send: (item) => sink.send(item.kind === "event" ? (binary ? item.frame.binary() : item.frame.message) : responseOf(item)),
        ready: () => sink.ready(),
        ...(sink.closed ? { closed: sink.closed } : {}),
      };
      const revokedSignal = ctx.values.get(STREAM_REVOKED_KEY);
      await watch.watchInto(request, out, { signal: ctx.signal, shutdownSignal: shutdownShard(), ...(revokedSignal ? { revokedSignal } : {}) });
    }),

    async listEvents(req, ctx) {
      const page = await listEvents(registry, {
        pageSize: req.pageSize,
        pageToken: req.pageToken,
        resourceName: req.resourceName,
        modelId: req.registeredModel === "" ? undefined : parseModelName(req.registeredModel, "registered_model"),
        resourceTypes: req.resourceTypes,
        types: req.types.map((t, i) => {
          const name = eventTypeIn(t);
          if (name === "") throw InvalidArgumentError.field(`types[${i}]`, `unknown event type ${t}`);
          return name;
        }),
        actor: req.actor,
        since: req.startTime ? timestampDate(req.startTime) : undefined,
        until: req.endTime ? timestampDate(req.endTime) : undefined,
        orderBy: req.orderBy,
      });
      return create(ListEventsResponseSchema, {
        events: (await readableEvents(ctx, page.events)).map(eventOut),
        nextPageToken: page.nextPageToken,
        revision: BigInt(page.revision),
        compactedRevision: BigInt(page.compactedRevision),
      });
    },
  };
}

/** The stream message of an item other than an event (whose frame is shared). */
function responseOf(item: Exclude<WatchOutput<WatchFrame>, { kind: "event" }>): WatchResponse {
  switch (item.kind) {
    case "initial":
      return response({ case: "initial", value: snapshotOut(item.resource)! });
    case "synced":
      return response({ case: "synced", value: create(WatchSyncedSchema, { revision: BigInt(item.revision) }) });
    case "progress":
      return response({ case: "progress", value: create(WatchProgressSchema, { revision: BigInt(item.revision) }) });
  }
}

function response(kind: WatchResponse["kind"]): WatchResponse {
  return create(WatchResponseSchema, { kind });
}

function revisionIn(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw InvalidArgumentError.field("start_revision", "must be from 0 to 2^53-1");
  }
  return Number(value);
}

/** Whether the stream's codec is binary (not JSON). */
function prefersBinary(ctx: HandlerContext): boolean {
  return !/json/i.test(ctx.requestHeader.get("content-type") ?? "");
}
