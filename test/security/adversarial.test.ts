import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import { create, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import { CreateRegisteredModelRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { literal, SQLISH, UNICODE } from "./hostile-input.js";
import { rsaKey, type SecureServer, signJwt, startSecureServer, tempDir, type TestTokens, writeJwks, writeTokensFile } from "./support.js";

const SERVICE = "/modelregistry.v1.ModelRegistryService";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] adversarial input`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    const rsa = rsaKey();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "admin" });
      writeJwks(`${tmp.dir}/jwks.json`, [rsa]);
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path, jwksFile: `${tmp.dir}/jwks.json` }, grpcPort: 0 });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const client = (protocol: "grpc" | "connect-json-h1" | "grpc-fast-path" = "grpc") => server.client(protocol, { token: tokens.secret.ann! });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const revision = async () => (await client().listRegisteredModels({ pageSize: 1 })).revision;
    /** After each attack: the server answers, and (for refused input) nothing was written. */
    const stillServing = async (before?: bigint) => {
      expect((await server.clientOf(Health, "grpc").check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      if (before !== undefined) expect(await revision()).toBe(before);
    };
    const post = (method: string, body: BodyInit, contentType: string) =>
      fetch(`${server.url}${SERVICE}/${method}`, {
        method: "POST",
        headers: { "content-type": contentType, authorization: `Bearer ${tokens.secret.ann}`, "connect-protocol-version": "1" },
        body,
      });

    describe("malformed messages", () => {
      it("answers malformed protobuf with an error, writing nothing", async () => {
        const before = await revision();
        const valid = toBinary(
          CreateRegisteredModelRequestSchema,
          create(CreateRegisteredModelRequestSchema, { registeredModel: { displayName: "m" } }),
        );
        for (const body of [
          randomBytes(64),
          valid.subarray(0, valid.length - 1), // truncated
          Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // a length far beyond the body
          Buffer.from([0x0f]), // wire type 7 does not exist
          Buffer.from([0x0a, 0x02, 0x0a, 0x05]), // nested length overruns
        ]) {
          const res = await post("CreateRegisteredModel", body, "application/proto");
          expect(res.status).toBeGreaterThanOrEqual(400);
          const error = (await res.json()) as { code: string; message: string };
          expect(error.code).toMatch(/invalid_argument|internal/);
          // Random bytes now and then decode as a message of unknown fields only: then the
          // refusal is validation's ("registered_model: is required"), still an error, still no write.
          expect(error.message).toMatch(/parse|premature|invalid|range|EOF|wire|is required/i);
        }
        await stillServing(before);
      });

      it("answers malformed JSON with INVALID_ARGUMENT, writing nothing", async () => {
        const before = await revision();
        for (const body of [
          "{",
          "[]",
          "null",
          '{"registeredModel": 5}',
          '{"registeredModel": {"displayName": {"$ne": 1}}}',
          '{"registeredModel": {"displayName": "x", "labels": {"a": 1}}}',
          `{"registeredModel": {"displayName": "${"[".repeat(100_000)}"}}`,
          "[".repeat(200_000),
        ]) {
          const res = await post("CreateRegisteredModel", body, "application/json");
          expect(res.status).toBe(400);
          expect(((await res.json()) as { code: string }).code).toBe("invalid_argument");
        }
        await stillServing(before);
      });

      it("refuses invalid UTF-8 in a protobuf string field, writing nothing", async () => {
        const before = await revision();
        const body = toBinary(
          CreateRegisteredModelRequestSchema,
          create(CreateRegisteredModelRequestSchema, { registeredModel: { displayName: "ab" } }),
        );
        const at = Buffer.from(body).indexOf("ab");
        const broken = Buffer.from(body);
        broken[at] = 0xff;
        broken[at + 1] = 0xfe;
        const res = await post("CreateRegisteredModel", broken, "application/proto");
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(((await res.json()) as { message: string }).message).toMatch(/utf-?8/i);
        await stillServing(before);
      });

      it("refuses invalid UTF-8 in a JSON body, writing nothing", async () => {
        const before = await revision();
        const body = Buffer.concat([Buffer.from('{"registeredModel": {"displayName": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
        const res = await post("CreateRegisteredModel", body, "application/json");
        // Refused naming the field, never stored as U+FFFD (every protocol: test/security/text.test.ts).
        expect(res.status).toBe(400);
        expect(((await res.json()) as { message: string }).message).toMatch(/^registered_model\.display_name: must be valid Unicode/);
        await stillServing(before);
      });

      it("answers garbage gRPC frames with an error status, and keeps the connection's server up", async () => {
        const session = http2.connect(server.url);
        try {
          for (const frame of [
            Buffer.from([0, 0, 0, 0, 2, 0x0f, 0x0f]), // wire type 7
            Buffer.from([0, 0, 0, 0, 3, 0x0a, 0x05, 0x41]), // a string field longer than the message
            Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), // a 4 GiB message announced
            Buffer.from([1, 0, 0, 0, 3, 1, 2, 3]), // compressed without an encoding
            Buffer.from([0, 0, 0]), // a cut-off prefix
          ]) {
            const status = await new Promise<string>((resolve, reject) => {
              const stream = session.request({
                ":method": "POST",
                ":path": `${SERVICE}/ListRegisteredModels`,
                "content-type": "application/grpc",
                te: "trailers",
                authorization: `Bearer ${tokens.secret.ann}`,
              });
              let grpcStatus = "";
              stream.on("response", (headers) => {
                if (headers["grpc-status"] !== undefined) grpcStatus = String(headers["grpc-status"]);
              });
              stream.on("trailers", (trailers) => {
                grpcStatus = String(trailers["grpc-status"]);
              });
              stream.on("data", () => {});
              stream.on("end", () => resolve(grpcStatus));
              stream.on("error", reject);
              stream.end(frame);
            });
            expect(status).not.toBe("0");
            expect(status).not.toBe("");
          }
        } finally {
          session.close();
        }
        await stillServing();
      });
    });

    describe("hostile strings", () => {
      it("refuses NUL characters in every kind of field as INVALID_ARGUMENT naming the field", async () => {
        const before = await revision();
        const cases: Array<[() => Promise<unknown>, string]> = [
          [() => client().createRegisteredModel({ registeredModel: { displayName: "a\u0000b" } }), "registered_model.display_name"],
          [() => client().createRegisteredModel({ registeredModel: { displayName: "d", description: "\u0000" } }), "registered_model.description"],
          [
            () =>
              client().createRegisteredModel({
                registeredModel: { displayName: "p", customProperties: { k: { kind: { case: "stringValue", value: "v\u0000" } } } },
              }),
            "registered_model.custom_properties.k.string_value",
          ],
          [
            () =>
              client().createRegisteredModel({
                registeredModel: { displayName: "s", customProperties: { k: { kind: { case: "structValue", value: { "a\u0000": 1 } } } } },
              }),
            "registered_model.custom_properties.k.struct_value.a\\u0000",
          ],
          [() => client().listRegisteredModels({ filter: "name = 'a\u0000'" }), "filter"],
          [
            () => client().registerModel({ registeredModel: { displayName: "r" }, modelVersion: { version: "1", author: "x\u0000" } }),
            "model_version.author",
          ],
        ];
        for (const [call, field] of cases) {
          const f = await failure(call());
          expect(f.code).toBe("InvalidArgument");
          expect(f.fields).toEqual([field]);
        }
        for (const protocol of ["grpc", "connect-json-h1", "grpc-fast-path"] as const) {
          const stream = client(protocol).watch({ registeredModelDisplayName: "a\u0000" });
          const f = await failure(
            (async () => {
              for await (const _ of stream) break;
            })(),
          );
          expect(f).toMatchObject({ code: "InvalidArgument", fields: ["registered_model_display_name"] });
        }
        const escaped = await failure(client().listRegisteredModels({ filter: "name = '\\u0000'" }));
        expect(escaped).toMatchObject({ code: "InvalidArgument", reason: "INVALID_FILTER" });
        await stillServing(before);
      });

      it("refuses oversized fields, maps and lists with clear errors, writing nothing", async () => {
        const before = await revision();
        const props = Object.fromEntries(
          Array.from({ length: 5000 }, (_, i) => [`k${i}`, { kind: { case: "intValue" as const, value: BigInt(i) } }]),
        );
        const labels = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`l${i}`, "v"]));
        for (const call of [
          () => client().createRegisteredModel({ registeredModel: { displayName: "x".repeat(100_000) } }),
          () => client().createRegisteredModel({ registeredModel: { displayName: "big", description: "y".repeat(1_000_000) } }),
          () => client().createRegisteredModel({ registeredModel: { displayName: "props", customProperties: props } }),
          () => client().createRegisteredModel({ registeredModel: { displayName: "labels", labels } }),
          () =>
            client().registerModel({
              registeredModel: { displayName: "arts" },
              modelVersion: { version: "1" },
              modelArtifacts: Array.from({ length: 1000 }, (_, i) => ({ uri: `s3://b/${i}` })),
            }),
          () => client().compareModelVersions({ names: Array.from({ length: 10_000 }, (_, i) => `registeredModels/1/versions/${i + 1}`) }),
          () => client().listRegisteredModels({ orderBy: "name,".repeat(10_000) }),
          () => client().getRegisteredModel({ name: `registeredModels/${"9".repeat(10_000)}` }),
        ]) {
          const f = await failure(call());
          expect(["InvalidArgument", "ResourceExhausted"]).toContain(f.code);
          expect(f.error.rawMessage.length).toBeLessThan(2000);
        }
        await stillServing(before);
      });

      it("refuses Struct values nested beyond the limit as RESOURCE_EXHAUSTED", async () => {
        const before = await revision();
        let deep: JsonObject = { leaf: true };
        for (let i = 0; i < 30; i++) deep = { a: deep };
        for (const protocol of ["grpc", "connect-json-h1", "grpc-fast-path"] as const) {
          const f = await failure(
            client(protocol).createRegisteredModel({
              registeredModel: { displayName: "deep", customProperties: { k: { kind: { case: "structValue", value: deep } } } },
            }),
          );
          expect(f).toMatchObject({ code: "ResourceExhausted", reason: "REQUEST_TOO_DEEP" });
        }
        await stillServing(before);
      });

      it("stores SQL-looking strings in every field verbatim and returns them unchanged", async () => {
        for (const [i, sql] of SQLISH.entries()) {
          const name = `${sql}-${i}-${randomBytes(2).toString("hex")}`;
          const res = await client().registerModel({
            registeredModel: {
              displayName: name,
              description: sql,
              owner: sql,
              labels: { team: sql },
              customProperties: { note: { kind: { case: "stringValue", value: sql } } },
            },
            modelVersion: {
              version: `v-${i}`,
              description: sql,
              author: sql,
              customProperties: { q: { kind: { case: "stringValue", value: sql } } },
            },
            modelArtifacts: [{ uri: `s3://bucket/${encodeURIComponent(sql)}`, modelFormatName: sql, storagePath: sql }],
            reason: sql,
          });
          const model = (await client().getRegisteredModel({ displayName: name })).registeredModel!;
          expect(model).toMatchObject({ displayName: name, description: sql, owner: sql, labels: { team: sql } });
          expect(model.customProperties.note?.kind).toEqual({ case: "stringValue", value: sql });
          const version = (await client().getModelVersion({ name: res.modelVersion!.name })).modelVersion!;
          expect(version).toMatchObject({ description: sql, author: sql });
          const artifact = (await client().listModelArtifacts({ parent: version.name })).modelArtifacts[0]!;
          expect(artifact).toMatchObject({ modelFormatName: sql, storagePath: sql });
          const events = await client().listEvents({ registeredModel: model.name });
          expect(events.events.every((e) => e.reason === sql)).toBe(true);
        }
      });

      it("matches SQL-looking strings in filters literally, never as SQL", async () => {
        const tag = randomBytes(3).toString("hex");
        const names = SQLISH.map((sql, i) => `${sql}-${tag}-${i}`);
        for (const name of names) await client().createRegisteredModel({ registeredModel: { displayName: name, description: tag, labels: { tag } } });
        for (const name of names) {
          const byName = await client().listRegisteredModels({ filter: `name = ${literal(name)}` });
          expect(byName.registeredModels.map((m) => m.displayName)).toEqual([name]);
          const byLabel = await client().listRegisteredModels({ filter: `labels.tag = ${literal(tag)} AND name != ${literal(name)}` });
          expect(byLabel.registeredModels).toHaveLength(names.length - 1);
        }
        // LIKE wildcards in a value are the caller's to use; nothing else widens a match.
        const like = await client().listRegisteredModels({ filter: `labels.tag = ${literal(tag)} AND name LIKE ${literal("%' OR '1'='1%")}` });
        expect(like.registeredModels.map((m) => m.displayName)).toEqual([names[1]]);
        const total = await client().listRegisteredModels({ filter: `labels.tag = ${literal(tag)}`, showTotalSize: true });
        expect(total.totalSize).toBe(BigInt(names.length));
        for (const sql of SQLISH) {
          const f = await client()
            .listModelVersions({ parent: "registeredModels/-", filter: `custom_properties.\`${sql.replace(/[`\\]/g, "\\$&")}\` = ${literal(sql)}` })
            .catch((e: unknown) => e);
          // Either a clean empty match or a clean INVALID_ARGUMENT for a key the filter language refuses.
          if (f instanceof Error) expect((await failure(Promise.reject(f))).code).toBe("InvalidArgument");
        }
        await stillServing();
      });

      it("keeps unicode names exact, distinct and addressable", async () => {
        const suffix = randomBytes(2).toString("hex");
        for (const base of UNICODE) {
          const name = `${base}-${suffix}`;
          const res = await client("connect-json-h1").registerModel({
            registeredModel: { displayName: name },
            modelVersion: { version: base },
            modelArtifacts: [{ uri: `s3://models/${encodeURIComponent(name)}` }],
          });
          expect(res.registeredModel?.displayName).toBe(name);
          expect((await client().getRegisteredModel({ displayName: name })).registeredModel?.name).toBe(res.registeredModel!.name);
          expect((await client().getModelVersion({ registeredModelDisplayName: name, version: base })).modelVersion?.version).toBe(base);
          const listed = await client().listRegisteredModels({ filter: `name = ${literal(name)}` });
          expect(listed.registeredModels.map((m) => m.displayName)).toEqual([name]);
          const resolved = await client("grpc-fast-path").resolveModelUri({
            uri: `model-registry://${encodeURIComponent(name)}/${encodeURIComponent(base)}`,
          });
          expect(resolved.modelVersion?.version).toBe(base);
        }
        // NFC and NFD spellings are different names.
        const nfd = (await client().getRegisteredModel({ displayName: `Cafe\u0301-${suffix}` })).registeredModel!;
        const nfc = (await client().getRegisteredModel({ displayName: `Café-${suffix}` })).registeredModel!;
        expect(nfd.name).not.toBe(nfc.name);
      });
    });

    describe("tampered credentials", () => {
      it("refuses tampered, truncated, padded and oversized bearer tokens as UNAUTHENTICATED", async () => {
        const before = await revision();
        const jwt = signJwt(rsa, { sub: "ann", roles: ["admin"] });
        const [h, p, s] = jwt.split(".") as [string, string, string];
        const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
        const promoted = Buffer.from(JSON.stringify({ ...claims, sub: "root" })).toString("base64url");
        const secret = tokens.secret.ann!;
        for (const authorization of [
          `Bearer ${h}.${promoted}.${s}`,
          `Bearer ${h}.${p}.${s.slice(0, -2)}`,
          `Bearer ${h}.${p}`,
          `Bearer ${secret}x`,
          `Bearer ${secret.slice(0, -1)}`,
          `Bearer  ${secret} extra`,
          `Bearer ${"A".repeat(6000)}`,
          "Bearer",
          "bearer",
          `Token ${secret}`,
        ]) {
          const f = await failure(server.client("grpc", { authorization }).createRegisteredModel({ registeredModel: { displayName: unique("t") } }));
          expect(f.code).toBe("Unauthenticated");
        }
        await stillServing(before);
      });

      it("accepts the untampered token, so the refusals above were about tampering", async () => {
        await server.client("grpc", { token: signJwt(rsa, { sub: "ann", roles: ["admin"] }) }).listRegisteredModels({});
        await server.client("grpc", { authorization: `bearer ${tokens.secret.ann}` }).listRegisteredModels({});
      });
    });
  });
}
