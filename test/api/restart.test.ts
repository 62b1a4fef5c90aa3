import { afterAll, describe, expect, it } from "vitest";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { startTestServer } from "../support/server.js";

const file = DIALECTS.find((d) => d.name === "sqlite-file")!;

describe("[sqlite-file] restart", () => {
  let db: TestDatabase | undefined;
  afterAll(() => db?.cleanup());

  it("keeps everything after a restart on the same SQLite file", async () => {
    db = await file.create();
    const first = await startTestServer(file, db);
    const registered = await first.client("grpc").registerModel(seedRegisterRequest({ requestId: "req-1" }));
    await first.close();

    const second = await startTestServer(file, db);
    try {
      const version = await second.client("connect-json-h1").getModelVersion({ name: registered.modelVersion!.name });
      expect(version.modelVersion).toEqual(registered.modelVersion);
      const retry = await second.client("grpc").registerModel(seedRegisterRequest({ requestId: "req-1" }));
      expect(retry.modelVersion?.name).toBe(registered.modelVersion?.name);
      const next = await second.client("grpc").registerModel(seedRegisterRequest({ version: "v3" }));
      expect(Number(next.modelVersion!.id)).toBeGreaterThan(Number(registered.modelArtifacts[0]!.id));
    } finally {
      await second.close();
    }
  });
});
