import { slowModelReads } from "../support/slow-reads.js";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { MAX_PAGE_SIZE } from "../../src/registry/shared/list-query.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { worstLegalFilter } from "../support/worst-filter.js";
import { type SecureProtocol, type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const MAX_REQUEST_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 300;
const MAX_STREAMS = 2;

/** Code, reason and the named limit of a refused call. */
async function limitFailure(call: Promise<unknown>) {
  const f = await failure(call);
  const info = f.error.findDetails(ErrorInfoSchema)[0];
  return { code: f.code, reason: f.reason, limit: info?.metadata.limit ?? "", message: f.error.rawMessage };
}

/** Opens a Watch and waits for its first message (the stream is then established). */
async function openWatch(client: ReturnType<SecureServer["client"]>, request: Parameters<ReturnType<SecureServer["client"]>["watch"]>[0] = {}) {
  const controller = new AbortController();
  const iterator = client.watch(request, { signal: controller.signal })[Symbol.asyncIterator]();
  const first: IteratorResult<WatchResponse> = await iterator.next();
  return { first, close: () => controller.abort(), iterator };
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] limits`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { alice: "editor", bob: "viewer" });
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path },
        grpcPort: 0,
        limits: { maxRequestBytes: MAX_REQUEST_BYTES, maxStreamsPerClient: MAX_STREAMS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
        watch: { progressIntervalMs: 200, pollIntervalMs: 200 },
      });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const as = (who: "alice" | "bob", protocol: SecureProtocol = "grpc") => server.client(protocol, { token: tokens.secret[who]! });

    for (const protocol of ["connect-json-h1", "grpc", "grpc-fast-path"] as const) {
      describe(`over ${protocol}`, () => {
        it("refuses a request larger than max-request-bytes as RESOURCE_EXHAUSTED and keeps serving", async () => {
          const f = await limitFailure(
            as("alice", protocol).createRegisteredModel({ registeredModel: { displayName: "big", description: "x".repeat(MAX_REQUEST_BYTES + 1) } }),
          );
          expect(f.code).toBe("ResourceExhausted");
          expect(f.message).toMatch(new RegExp(String(MAX_REQUEST_BYTES)));
          expect((await as("alice", protocol).listRegisteredModels({ pageSize: 1 })).revision).toBeGreaterThanOrEqual(0n);
          expect((await failure(as("alice", protocol).getRegisteredModel({ displayName: "big" }))).code).toBe("NotFound");
        });

        it("refuses a filter longer than its limit as INVALID_ARGUMENT naming it", async () => {
          const filter = `name = '${"a".repeat(5000)}'`;
          const f = await limitFailure(as("bob", protocol).listRegisteredModels({ filter }));
          expect(f).toMatchObject({ code: "InvalidArgument", reason: "FILTER_TOO_COMPLEX", limit: "filter-length" });
          expect(f.message).toMatch(/4096/);
        });

        it("refuses a filter nested deeper than its limit as INVALID_ARGUMENT naming it", async () => {
          const filter = `${"(".repeat(200)}name = 'x'${")".repeat(200)}`;
          const f = await limitFailure(as("bob", protocol).listModelVersions({ parent: "registeredModels/-", filter }));
          expect(f).toMatchObject({ code: "InvalidArgument", reason: "FILTER_TOO_COMPLEX", limit: "filter-depth" });
          const deepNot = await limitFailure(as("bob", protocol).listRegisteredModels({ filter: `${"NOT ".repeat(100)}name = 'x'` }));
          expect(deepNot).toMatchObject({ code: "InvalidArgument", reason: "FILTER_TOO_COMPLEX", limit: "filter-depth" });
        });

        it("refuses one property comparison, IN value or level too many, on List and Watch, naming the limit and its number", async () => {
          const cases = [
            ["comparisons", "filter-property-comparisons", /limit of 20 comparisons/],
            ["in", "filter-in-values", /limit of 100 values/],
            ["depth", "filter-depth", /limit of 32/],
          ] as const;
          for (const [over, limit, message] of cases) {
            const filter = worstLegalFilter({ over });
            const list = await limitFailure(as("bob", protocol).listModelVersions({ parent: "registeredModels/-", filter }));
            expect(list).toMatchObject({ code: "InvalidArgument", reason: "FILTER_TOO_COMPLEX", limit });
            expect(list.message).toMatch(message);
            const watch = await limitFailure(openWatch(as("bob", protocol), { resourceTypes: ["ModelVersion"], filter }).then((w) => w.first));
            expect(watch).toMatchObject({ code: "InvalidArgument", reason: "FILTER_TOO_COMPLEX", limit });
          }
        });

        it("serves the worst legal filter on List and Watch", async () => {
          const filter = worstLegalFilter();
          expect((await as("bob", protocol).listModelVersions({ parent: "registeredModels/-", filter })).modelVersions).toEqual([]);
          const watch = await openWatch(as("bob", protocol), { resourceTypes: ["ModelVersion"], filter, sendInitial: true });
          watch.close();
          expect(watch.first.value?.kind.case).toBe("synced");
        });

        it(`serves a page_size above ${MAX_PAGE_SIZE} as ${MAX_PAGE_SIZE} (AIP-158), not as an error`, async () => {
          const page = await as("bob", protocol).listRegisteredModels({ pageSize: 1_000_000 });
          expect(page.registeredModels.length).toBeLessThanOrEqual(MAX_PAGE_SIZE);
        });

        it("ends a call that runs past the server's default deadline with DEADLINE_EXCEEDED naming the limit", async () => {
          const name = `slow-${protocol}-${randomBytes(3).toString("hex")}`;
          await as("alice", protocol).createRegisteredModel({ registeredModel: { displayName: name } });
          const restore = slowModelReads(server.app.store, (ref) => ref === name, 2000);
          try {
            const started = Date.now();
            const f = await limitFailure(as("bob", protocol).getRegisteredModel({ displayName: name }));
            expect(f).toMatchObject({ code: "DeadlineExceeded", reason: "DEADLINE_EXCEEDED", limit: "request-timeout" });
            expect(Date.now() - started).toBeLessThan(1500);
            // Others are served meanwhile.
            expect((await as("bob", protocol).listRegisteredModels({ pageSize: 1 })).registeredModels).toHaveLength(1);
          } finally {
            restore();
          }
        });

        it("honours a client's own deadline, shorter or longer than the server's default", async () => {
          const name = `paced-${protocol}-${randomBytes(3).toString("hex")}`;
          await as("alice", protocol).createRegisteredModel({ registeredModel: { displayName: name } });
          const restore = slowModelReads(server.app.store, (ref) => ref === name, 600);
          try {
            expect((await failure(as("bob", protocol).getRegisteredModel({ displayName: name }, { timeoutMs: 100 }))).code).toBe("DeadlineExceeded");
            // grpc-js hides grpc-timeout from the handler's headers, so the fast path applies the server's default.
            if (protocol !== "grpc-fast-path") {
              const res = await as("bob", protocol).getRegisteredModel({ displayName: name }, { timeoutMs: 3000 });
              expect(res.registeredModel?.displayName).toBe(name);
            }
          } finally {
            restore();
          }
        });
      });
    }

    it("ends a REST request that runs past the server's deadline with 504 and Kubeflow's error body naming the limit", async () => {
      const name = `slow-rest-${randomBytes(3).toString("hex")}`;
      const created = await as("alice").createRegisteredModel({ registeredModel: { displayName: name } });
      const id = created.registeredModel!.name.split("/")[1]!;
      const restore = slowModelReads(server.app.store, (ref) => String(ref) === id, 2000);
      const get = (path: string) =>
        fetch(`${server.url}/api/model_registry/v1alpha3${path}`, { headers: { authorization: `Bearer ${tokens.secret.bob}` } });
      try {
        const started = Date.now();
        const res = await get(`/registered_models/${id}`);
        expect(res.status).toBe(504);
        const body = (await res.json()) as { code: string; message: string };
        expect(body.code).toBe("Gateway Timeout");
        expect(res.headers.get("x-error-reason")).toBe("DEADLINE_EXCEEDED");
        expect(body.message).toContain(`${REQUEST_TIMEOUT_MS} ms (request-timeout)`);
        expect(Date.now() - started).toBeLessThan(1500);
        // Others are served meanwhile, and afterwards.
        expect((await get("/registered_models?pageSize=1")).status).toBe(200);
      } finally {
        restore();
      }
      expect((await get(`/registered_models/${id}`)).status).toBe(200);
    });

    it("refuses a client's stream beyond max-streams-per-client as RESOURCE_EXHAUSTED, and serves others", async () => {
      const open = [await openWatch(as("alice")), await openWatch(as("alice", "connect-json-h1"))];
      try {
        const refused = await limitFailure(openWatch(as("alice", "grpc-fast-path")).then((w) => w.first));
        expect(refused).toMatchObject({ code: "ResourceExhausted", reason: "TOO_MANY_STREAMS", limit: "max-streams-per-client" });
        const bobs = await openWatch(as("bob"));
        expect(bobs.first.done).toBe(false);
        bobs.close();
        // Unary calls of the same client are not streams.
        await as("alice").listRegisteredModels({ pageSize: 1 });
      } finally {
        for (const w of open) w.close();
      }
    });

    it("gives a stream slot back when the client cancels", async () => {
      const deadline = Date.now() + 5000;
      for (let round = 0; round < 3; round++) {
        const streams = [];
        for (let i = 0; i < MAX_STREAMS; i++) {
          // The server notices a cancel asynchronously: retry a refused open briefly.
          for (;;) {
            try {
              const w = await openWatch(as("alice"));
              if (w.first.done) throw new Error("watch ended");
              streams.push(w);
              break;
            } catch (error) {
              if (Date.now() > deadline) throw error;
              await new Promise((r) => setTimeout(r, 50));
            }
          }
        }
        for (const w of streams) w.close();
      }
    });
  });
}
