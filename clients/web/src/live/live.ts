import { fromBinary } from "@bufbuild/protobuf";
import { useEffect, useSyncExternalStore } from "react";
import { type Event, EventSchema } from "../../../../gen/modelregistry/v1/events_pb.js";
import { createRegistryTransport } from "../api/transport.js";
import type { TabMessage, WorkerMessage } from "./messages.js";
import { type LiveStatus, runWatchLoop } from "./watch-loop.js";

/**
 * The tab's side of the change stream. With SharedWorker (desktop browsers) every tab of the browser
 * shares one Watch stream held by the worker; without it (some mobile browsers) the tab holds its own.
 * Pages subscribe with a predicate and reload what they show when a matching change arrives.
 */
export interface LiveOptions {
  token: () => string;
  onTokenChange: (listener: () => void) => void;
  onSignedOut: (message: string) => void;
  /** The stream starts anew: every change after `from` will arrive; reload what was read before it. */
  onResync: (from: bigint) => void;
}

type Listener = (event: Event) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
let status: { status: LiveStatus; detail?: string } = { status: "connecting" };

function setStatus(next: LiveStatus, detail: string | undefined, options: LiveOptions): void {
  status = { status: next, ...(detail ? { detail } : {}) };
  for (const listener of statusListeners) listener();
  if (next === "signed-out") options.onSignedOut(detail ?? "");
}

function deliver(bytes: Uint8Array): void {
  const event = fromBinary(EventSchema, bytes);
  for (const listener of listeners) listener(event);
}

export function startLive(options: LiveOptions): void {
  if (typeof SharedWorker !== "undefined") {
    const worker = new SharedWorker(new URL("./shared-watch.ts", import.meta.url), { type: "module", name: "model-registry-watch" });
    const send = (message: TabMessage) => worker.port.postMessage(message);
    worker.port.onmessage = (message: MessageEvent<WorkerMessage>) => {
      const data = message.data;
      if (data.type === "event") deliver(data.bytes);
      else if (data.type === "resync") options.onResync(data.from);
      else setStatus(data.status, data.detail, options);
    };
    worker.port.start();
    send({ type: "attach", token: options.token() });
    options.onTokenChange(() => send({ type: "attach", token: options.token() }));
    addEventListener("pagehide", () => send({ type: "detach" }));
    return;
  }
  let abort = new AbortController();
  const run = () => {
    const transport = createRegistryTransport(options.token, () => {});
    void runWatchLoop(transport, { event: deliver, status: (s, detail) => setStatus(s, detail, options), resync: options.onResync }, abort.signal);
  };
  run();
  let token = options.token();
  options.onTokenChange(() => {
    if (options.token() === token && status.status !== "signed-out") return;
    token = options.token();
    abort.abort();
    abort = new AbortController();
    run();
  });
}

export function useLiveStatus(): { status: LiveStatus; detail?: string } {
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => status,
  );
}

/** Calls onEvent for every change the page cares about (the predicate filters client-side). */
export function useLiveEvents(onEvent: Listener): void {
  useEffect(() => {
    listeners.add(onEvent);
    return () => {
      listeners.delete(onEvent);
    };
  }, [onEvent]);
}
