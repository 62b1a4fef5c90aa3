import { toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { EventSchema, type WatchResponse } from "../../../../gen/modelregistry/v1/events_pb.js";
import { ModelRegistryService } from "../../../../gen/modelregistry/v1/model_registry_service_pb.js";

/** What the header's indicator shows. */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "signed-out";

/** What a watch loop tells whoever runs it (a tab, or the shared worker that serves every tab). */
export interface WatchLoopSink {
  /** One committed change, encoded (it crosses a MessagePort as bytes). */
  event(bytes: Uint8Array): void;
  status(status: LiveStatus, detail?: string): void;
  /**
   * The stream starts anew (first connection, or retention removed the resume point): it carries
   * every change after `from`; what was read at an older revision must be read again.
   */
  resync(from: bigint): void;
}

const MAX_DELAY_MS = 10_000;

/**
 * One Watch stream of every change, resumed from the last revision seen (an event's, or a progress
 * message's) after a dropped connection, so no change is lost or shown twice. A resume point older
 * than retention (OUT_OF_RANGE) starts from now and asks for a reload. Ends on abort, or when the
 * server refuses the credential (the UI then asks for another and starts a new loop).
 */
export async function runWatchLoop(transport: Transport, sink: WatchLoopSink, signal: AbortSignal): Promise<void> {
  const client = createClient(ModelRegistryService, transport);
  let revision: bigint | undefined;
  let delay = 500;
  sink.status("connecting");
  while (!signal.aborted) {
    try {
      const stream = client.watch(revision === undefined ? {} : { startRevision: revision }, { signal });
      let first = true;
      for await (const res of stream) {
        if (first) {
          first = false;
          delay = 500;
          // Starting from now (not resuming): what was read before the stream's first revision is reloaded.
          if (revision === undefined) sink.resync(startOf(res));
          sink.status("live");
        }
        if (res.kind.case === "event") {
          revision = res.kind.value.revision;
          sink.event(toBinary(EventSchema, res.kind.value));
        } else if (res.kind.case === "progress" || res.kind.case === "synced") {
          revision = res.kind.value.revision;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      const e = ConnectError.from(error);
      if (e.code === Code.Unauthenticated) {
        sink.status("signed-out", e.rawMessage);
        return;
      }
      if (e.code === Code.OutOfRange) revision = undefined;
    }
    if (signal.aborted) return;
    sink.status("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/** The revision after which a new stream delivers every change, from its first message (0: unknown, reload everything). */
function startOf(res: WatchResponse): bigint {
  switch (res.kind.case) {
    case "event":
      return res.kind.value.revision - 1n;
    case "progress":
    case "synced":
      return res.kind.value.revision;
    default:
      return 0n;
  }
}
