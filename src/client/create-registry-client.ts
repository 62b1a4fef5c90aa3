import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import type { UniversalClientFn } from "@connectrpc/connect/protocol";
import { createTransport } from "@connectrpc/connect/protocol-connect";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";

/** The typed client of ModelRegistryService: one method per RPC, messages as generated in gen/. */
export type RegistryClient = Client<typeof ModelRegistryService>;

export interface RegistryClientOptions {
  /** Sent as `x-actor` on every call: who is making the changes. */
  actor?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Default deadline of each call, in milliseconds. */
  timeoutMs?: number;
  /** The fetch to use; defaults to the global one (browsers, Node ≥ 18, Deno, Bun). */
  fetch?: typeof globalThis.fetch;
  /** Binary protobuf instead of JSON on the wire (smaller; JSON is easier to debug in devtools). */
  useBinaryFormat?: boolean;
  /** Extra interceptors, run after the ones that set the headers above. */
  interceptors?: Interceptor[];
}

/**
 * A typed client of the registry at `url` over the Connect protocol on `fetch`, so the same code
 * runs in Node and in browsers (the server speaks Connect over HTTP/1.1 and HTTP/2).
 *
 * Built on the Connect protocol's `createTransport` from @connectrpc/connect itself rather than
 * @connectrpc/connect-web (not a dependency) or connect-node (Node only): that factory is marked
 * internal, so it is pinned with @connectrpc/connect; connect-web's `createConnectTransport`
 * takes the same options and can replace `createFetchTransport` below when it is added.
 */
export function createRegistryClient(url: string, options: RegistryClientOptions = {}): RegistryClient {
  return createClient(ModelRegistryService, createFetchTransport(url, options));
}

/** Sets `x-actor` and `authorization: Bearer` from the options on every call (any transport). */
export function identityHeaders(options: Pick<RegistryClientOptions, "actor" | "token">): Interceptor {
  return (next) => (req) => {
    if (options.actor) req.header.set("x-actor", options.actor);
    if (options.token) req.header.set("authorization", `Bearer ${options.token}`);
    return next(req);
  };
}

/** A Connect transport over fetch with the actor and token headers. */
export function createFetchTransport(url: string, options: RegistryClientOptions = {}): Transport {
  const headers = identityHeaders(options);
  const fetchFn = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  return createTransport({
    baseUrl: url.replace(/\/+$/, ""),
    httpClient: fetchClient(fetchFn),
    useBinaryFormat: options.useBinaryFormat ?? false,
    interceptors: [headers, ...(options.interceptors ?? [])],
    acceptCompression: [],
    sendCompression: null,
    compressMinBytes: 1024,
    readMaxBytes: 0xffffffff,
    writeMaxBytes: 0xffffffff,
    defaultTimeoutMs: options.timeoutMs,
  });
}

/**
 * Connect's HTTP client over fetch, with the request body read into memory first. Requests of
 * this service are unary or server-streaming, so the body is always one message; a stream body
 * would need `duplex: "half"` in Node and is refused by browsers over HTTP/1.1.
 */
function fetchClient(fetchFn: typeof globalThis.fetch): UniversalClientFn {
  return async (req) => {
    const chunks: Uint8Array[] = [];
    if (req.body) for await (const chunk of req.body) chunks.push(chunk);
    const body = chunks.length === 1 ? chunks[0]! : concat(chunks);
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.header,
      body: req.body ? (body as BodyInit) : undefined,
      signal: req.signal,
    });
    // fetch has already decoded a gzip/br body (browsers and undici always do): do not let
    // Connect decode it again.
    const header = new Headers(res.headers);
    if (header.has("content-encoding")) {
      header.delete("content-encoding");
      header.delete("content-length");
    }
    return { status: res.status, header, body: readBody(res.body), trailer: new Headers() };
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** A response body as an async iterable, with a reader (not every browser iterates streams). */
async function* readBody(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!stream) return;
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Stopped early (a cancelled stream): release the connection.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
