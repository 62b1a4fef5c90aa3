import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Registry } from "prom-client";
import { LATENCY_BUCKETS } from "./buckets.js";
import { CallFamily, type CallSeries } from "./call-family.js";

/**
 * How a call reached the server: the three protocols of the main port (told apart by
 * content-type), or the native gRPC port served by @grpc/grpc-js.
 */
export type RpcProtocol = "connect" | "grpc" | "grpc-web" | "grpc-js";

const PROTOCOLS: readonly RpcProtocol[] = ["connect", "grpc", "grpc-web", "grpc-js"];
/** Code.Unauthenticated is the largest code (16); 0 is OK. */
const CODES = 17;

/**
 * Calls by service, method, protocol and code, and the latency of unary calls. Method names
 * come from the service descriptors, a closed set: connect-node answers an unknown path before
 * any interceptor runs, so a client cannot invent label values.
 */
export function createRpcMetrics(registry: Registry): { interceptor(port: "main" | "grpc-js"): Interceptor } {
  const family = new CallFamily({
    registry,
    counter: {
      name: "model_registry_rpc_calls_total",
      help: "RPCs finished, by service, method, protocol and status code (streams count when they end).",
    },
    histogram: {
      name: "model_registry_rpc_duration_seconds",
      help: "Time from receiving a unary RPC to its response, by service, method, protocol and status code.",
    },
    bounds: LATENCY_BUCKETS,
  });
  // Per method: one slot per protocol and code, so a call costs an array read, not a label hash.
  const cache = new WeakMap<DescMethod, CallSeries[]>();
  const seriesOf = (method: DescMethod, protocol: number, code: Code | 0): CallSeries => {
    let slots = cache.get(method);
    if (!slots) {
      slots = [];
      cache.set(method, slots);
    }
    const slot = protocol * CODES + code;
    slots[slot] ??= family.series({
      service: method.parent.typeName,
      method: method.name,
      protocol: PROTOCOLS[protocol]!,
      code: code === 0 ? "ok" : codeToString(code),
    });
    return slots[slot];
  };

  return {
    interceptor(port) {
      // Not an async function: promise reactions only (a unary call pays well under a microsecond here).
      return (next) => (req) => {
        const protocol = port === "grpc-js" ? 3 : protocolIndex(req.header.get("content-type"));
        const started = performance.now();
        const record = (code: Code | 0) =>
          family.record(seriesOf(req.method, protocol, code), req.method.methodKind === "unary" ? (performance.now() - started) / 1000 : undefined);
        return next(req).then(
          (res) => {
            if (!res.stream) {
              record(0);
              return res;
            }
            return { ...res, message: observeEnd(res.message, req.signal, record) };
          },
          (error: unknown) => {
            record(codeOf(error));
            throw error;
          },
        );
      };
    },
  };
}

/** connect (also Connect GET, which has no content-type), grpc or grpc-web, as connect-node tells them apart. */
function protocolIndex(contentType: string | null): number {
  if (contentType === null || !/^application\/grpc/i.test(contentType)) return 0;
  return /^application\/grpc-web/i.test(contentType) ? 2 : 1;
}

function codeOf(error: unknown): Code {
  return error instanceof ConnectError ? error.code : Code.Unknown;
}

/**
 * The stream, reporting how it ended: an error's code; a normal end while the call's signal is
 * aborted is the client's cancel (or deadline), otherwise OK. A hand-written iterator rather
 * than another generator layer: a Watch event costs one promise reaction here, nothing more.
 */
function observeEnd<T>(source: AsyncIterable<T>, signal: AbortSignal, done: (code: Code | 0) => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      let ended = false;
      const end = (code: Code | 0) => {
        if (ended) return;
        ended = true;
        done(code);
      };
      const ok = () => (signal.aborted ? (signal.reason instanceof ConnectError ? signal.reason.code : Code.Canceled) : 0);
      return {
        next: () =>
          it.next().then(
            (result) => {
              if (result.done) end(ok());
              return result;
            },
            (error: unknown) => {
              end(codeOf(error));
              throw error;
            },
          ),
        return: (value?: unknown) => {
          end(Code.Canceled);
          return it.return ? it.return(value) : Promise.resolve({ done: true as const, value: value as T });
        },
        throw: (error?: unknown) => {
          end(codeOf(error));
          return it.throw ? it.throw(error) : Promise.reject(error);
        },
      };
    },
  };
}
