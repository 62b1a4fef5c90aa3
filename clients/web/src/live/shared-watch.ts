import { createRegistryTransport } from "../api/transport.js";
import type { TabMessage, WorkerMessage } from "./messages.js";
import { type LiveStatus, runWatchLoop } from "./watch-loop.js";

/**
 * The SharedWorker that holds ONE Watch stream per browser for all its tabs: over cleartext a
 * browser has six HTTP/1.1 connections per host for every tab together, and each open stream holds
 * one. Tabs attach with their token; tabs with the same token share a stream (a different token
 * gets its own, so no tab sees changes its caller may not read).
 */
interface Stream {
  ports: Set<MessagePort>;
  abort: AbortController;
  last: WorkerMessage;
}

const streams = new Map<string, Stream>();
const tokenOf = new Map<MessagePort, string>();

function broadcast(stream: Stream, message: WorkerMessage): void {
  if (message.type === "status") stream.last = message;
  for (const port of stream.ports) port.postMessage(message);
}

function open(token: string): Stream {
  const stream: Stream = { ports: new Set(), abort: new AbortController(), last: { type: "status", status: "connecting" } };
  streams.set(token, stream);
  const transport = createRegistryTransport(
    () => token,
    () => {},
  );
  void runWatchLoop(
    transport,
    {
      event: (bytes) => broadcast(stream, { type: "event", bytes }),
      status: (status: LiveStatus, detail?: string) => broadcast(stream, { type: "status", status, ...(detail ? { detail } : {}) }),
      resync: (from) => broadcast(stream, { type: "resync", from }),
    },
    stream.abort.signal,
  ).finally(() => {
    // A refused credential ends the loop: the next tab that attaches with this token starts anew.
    if (streams.get(token) === stream) streams.delete(token);
  });
  return stream;
}

function detach(port: MessagePort): void {
  const token = tokenOf.get(port);
  if (token === undefined) return;
  tokenOf.delete(port);
  const stream = streams.get(token);
  if (!stream) return;
  stream.ports.delete(port);
  if (stream.ports.size === 0) {
    stream.abort.abort();
    streams.delete(token);
  }
}

function attach(port: MessagePort, token: string): void {
  const current = streams.get(token);
  if (current && tokenOf.get(port) === token) {
    port.postMessage(current.last);
    return;
  }
  detach(port);
  const stream = streams.get(token) ?? open(token);
  stream.ports.add(port);
  tokenOf.set(port, token);
  port.postMessage(stream.last);
}

addEventListener("connect", (event) => {
  if (!(event instanceof MessageEvent)) return;
  const port = event.ports[0];
  if (!port) return;
  port.onmessage = (message: MessageEvent<TabMessage>) => {
    if (message.data.type === "attach") attach(port, message.data.token);
    else detach(port);
  };
  port.start();
});
