import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchRequestSchema, WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import {
  type Credentials,
  hmacKey,
  type SecureProtocol,
  type SecureServer,
  signJwt,
  startSecureServer,
  tempDir,
  type TestTokens,
  writeTokensFile,
} from "./support.js";

/** Every path that serves Watch: the main port's protocols and the grpc-js port. */
const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "connect-binary-h2", "grpc", "grpc-web", "grpc-fast-path"];
/** Generous: the tokens file is checked every 100 ms here, a JWT ends a few seconds after it opens. */
const ENDS_WITHIN_MS = 10_000;
/** Each test waits for several streams, each within ENDS_WITHIN_MS at worst. */
const TEST_TIMEOUT_MS = 60_000;

/** An open Watch read in the background: what it delivered, and how it ended. */
interface Followed {
  seen: WatchResponse[];
  /** Resolves at the first message (the stream is established). */
  open: Promise<void>;
  /** Resolves when it ends: "OK", or the failure's code and reason. */
  ended: Promise<{ code: string; reason: string }>;
  stop(): void;
}

function follow(client: Client<typeof ModelRegistryService>, request: MessageInitShape<typeof WatchRequestSchema> = {}): Followed {
  const controller = new AbortController();
  const seen: WatchResponse[] = [];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const ended = (async () => {
    try {
      for await (const message of client.watch(request, { signal: controller.signal })) {
        seen.push(message);
        opened();
      }
      return { code: "OK", reason: "" };
    } catch (error) {
      opened();
      const f = await failure(Promise.reject(error));
      return { code: f.code, reason: f.reason };
    }
  })();
  return { seen, open, ended, stop: () => controller.abort() };
}

/** The outcome, or "still open" when it has not ended within ms. */
function within(ms: number, ended: Promise<{ code: string; reason: string }>) {
  return Promise.race([
    ended,
    new Promise<{ code: string; reason: string }>((resolve) => setTimeout(() => resolve({ code: "still open", reason: "" }), ms)),
  ]);
}

/** Waits until the stream has delivered an event for this resource name. */
async function sees(stream: Followed, name: string): Promise<void> {
  const deadline = Date.now() + ENDS_WITHIN_MS;
  while (!stream.seen.some((m) => m.kind.case === "event" && m.kind.value.resourceName === name)) {
    if (Date.now() > deadline) throw new Error(`no event for ${name}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Open Watch streams end when their credentials stop covering them (src/auth/stream-access.ts):
 * a token removed from the tokens file or a JWT past its exp ends them with UNAUTHENTICATED,
 * narrowed grants with PERMISSION_DENIED, on every protocol of both ports; other streams go on.
 */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] credentials of open streams`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    const hs = hmacKey();
    const grants: Record<string, string> = { ann: "admin", bob: "viewer", carol: "viewer", dave: "viewer:fraud-*", erin: "viewer:fraud-*" };
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, grants);
      writeFileSync(join(tmp.dir, "jwt-secret"), hs.secret!);
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path, jwtSecretFile: join(tmp.dir, "jwt-secret"), reloadIntervalMs: 100 },
        grpcPort: 0,
      });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const as = (who: string | Credentials, protocol: SecureProtocol = "grpc") =>
      server.client(protocol, typeof who === "string" ? { token: tokens.secret[who]! } : who);
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const createModel = async (name: string) =>
      (await as("ann").createRegisteredModel({ registeredModel: { displayName: name } })).registeredModel!.name;
    const regrant = (changes: Record<string, string | null>) => {
      for (const [who, grant] of Object.entries(changes)) {
        if (grant === null) delete grants[who];
        else grants[who] = grant;
      }
      tokens.write(grants);
    };

    it(
      "ends every protocol's Watch with UNAUTHENTICATED when its token leaves the tokens file, and others go on",
      async () => {
        const revoked = PROTOCOLS.map((p) => follow(as("bob", p), { resourceTypes: ["RegisteredModel"] }));
        const kept = PROTOCOLS.map((p) => follow(as("ann", p), { resourceTypes: ["RegisteredModel"] }));
        await Promise.all([...revoked, ...kept].map((s) => s.open));
        regrant({ bob: null });
        for (const [i, stream] of revoked.entries()) {
          expect(await within(ENDS_WITHIN_MS, stream.ended), PROTOCOLS[i]).toEqual({ code: "Unauthenticated", reason: "TOKEN_REVOKED" });
        }
        const name = await createModel(unique("after-revoke"));
        await Promise.all(kept.map((s) => sees(s, name)));
        for (const stream of kept) stream.stop();
        expect(await failure(as("bob").listRegisteredModels({}))).toMatchObject({ code: "Unauthenticated" });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "ends a Watch with PERMISSION_DENIED when its grants narrow, and leaves one whose grants widen",
      async () => {
        const fraud = unique("fraud");
        await createModel(fraud);
        const narrowedAll = follow(as("carol", "grpc-fast-path"), { resourceTypes: ["RegisteredModel"] });
        const lostModel = follow(as("dave", "connect-json-h1"), { registeredModelDisplayName: fraud });
        const widened = follow(as("erin", "grpc"), { resourceTypes: ["RegisteredModel"] });
        await Promise.all([narrowedAll.open, lostModel.open, widened.open]);
        regrant({ carol: "viewer:fraud-*", dave: "viewer:churn-*", erin: "viewer" });
        expect(await within(ENDS_WITHIN_MS, narrowedAll.ended)).toEqual({ code: "PermissionDenied", reason: "GRANTS_CHANGED" });
        expect(await within(ENDS_WITHIN_MS, lostModel.ended)).toEqual({ code: "PermissionDenied", reason: "PERMISSION_DENIED" });
        const name = await createModel(unique("fraud-after"));
        await sees(widened, name);
        expect(await within(500, widened.ended)).toEqual({ code: "still open", reason: "" });
        widened.stop();
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "ends a Watch with UNAUTHENTICATED when its JWT passes exp (with the clock skew unary calls allow), on both ports",
      async () => {
        // exp 57 s ago: accepted for 3 more seconds (60 s of clock skew), as unary calls accept it.
        const expiring = signJwt(hs, { sub: "jwt-user", roles: ["viewer"], exp: Math.floor(Date.now() / 1000) - 57 });
        const lasting = signJwt(hs, { sub: "jwt-user", roles: ["viewer"] });
        const ending = ["grpc", "grpc-fast-path", "connect-json-h1"].map((p) => follow(as({ token: expiring }, p as SecureProtocol)));
        const staying = follow(as({ token: lasting }, "grpc-fast-path"));
        await Promise.all([...ending, staying].map((s) => s.open));
        for (const stream of ending) expect(await within(ENDS_WITHIN_MS, stream.ended)).toEqual({ code: "Unauthenticated", reason: "TOKEN_EXPIRED" });
        expect(await failure(as({ token: expiring }).listRegisteredModels({}))).toMatchObject({ code: "Unauthenticated", reason: "TOKEN_EXPIRED" });
        const name = await createModel(unique("after-exp"));
        await sees(staying, name);
        staying.stop();
      },
      TEST_TIMEOUT_MS,
    );
  });
}
