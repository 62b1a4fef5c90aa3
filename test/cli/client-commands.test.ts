import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { type CliResult, expectAligned, runClientInProcess, startClientInProcess } from "../support/cli.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] CLI client commands`, () => {
    let server: TestServer;
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const cli = (...args: string[]): Promise<CliResult> => runClientInProcess([...args, "--server", server.url, "--actor", "cli@acme.com"]);
    const ok = async (...args: string[]) => {
      const res = await cli(...args);
      expect(res.stderr).toBe("");
      expect(res.code).toBe(0);
      return res.stdout;
    };
    const register = (model: string, version: string, ...extra: string[]) =>
      ok("register", model, "--version", version, "--uri", `s3://ml-models/${model}/${version}/model.onnx`, ...extra);
    const okJson = async (...args: string[]) => JSON.parse(await ok(...args, "--json"));
    const watchLines = (stdout: string) => stdout.trimEnd().split("\n").filter(Boolean);

    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    it("register prints the new version's name and says when the model was created", async () => {
      const model = unique("fraud-detector");
      const first = await register(model, "v1", "--format", "onnx", "--format-version", "1.14");
      expect(first).toMatch(new RegExp(`^registered ${model} v1 \\(new model\\): registeredModels/\\d+/versions/\\d+\\n$`));
      const second = await register(model, "v2");
      expect(second).toMatch(new RegExp(`^registered ${model} v2: registeredModels/\\d+/versions/\\d+\\n$`));
    });

    it("register types --metadata values: int, double, bool, struct, list and string", async () => {
      const model = unique("typed");
      await register(
        model,
        "v1",
        "--metadata",
        "epochs=10",
        "--metadata",
        "accuracy=0.967",
        "--metadata",
        "early_stop=true",
        "--metadata",
        'optimizer={"name":"adam"}',
        "--metadata",
        "layers=[64,32]",
        "--metadata",
        "dataset=fraud-q4",
        "--metadata",
        'quoted="10"',
        "--metadata",
        "big=9007199254740993",
        "--metadata-json",
        '{"lr": 1e-3, "n": 5}',
      );
      const v = (await server.client("connect-json-h1").getModelVersion({ registeredModelDisplayName: model, version: "v1" })).modelVersion!;
      const kinds = Object.fromEntries(Object.entries(v.customProperties).map(([k, p]) => [k, p.kind]));
      expect(kinds).toEqual({
        epochs: { case: "intValue", value: 10n },
        accuracy: { case: "doubleValue", value: 0.967 },
        early_stop: { case: "boolValue", value: true },
        optimizer: { case: "structValue", value: { name: "adam" } },
        layers: { case: "structValue", value: { $list: [64, 32] } },
        dataset: { case: "stringValue", value: "fraud-q4" },
        quoted: { case: "stringValue", value: "10" },
        big: { case: "intValue", value: 9007199254740993n },
        lr: { case: "doubleValue", value: 0.001 },
        n: { case: "intValue", value: 5n },
      });
      expect(v.author).toBe("cli@acme.com");
    });

    it("register with the same --request-id twice returns the first version (pipeline retries)", async () => {
      const model = unique("retried");
      const args = ["--request-id", `run-${model}`];
      const first = await register(model, "v1", ...args);
      const retry = await register(model, "v1", ...args);
      expect(retry.split(": ")[1]).toBe(first.split(": ")[1]);
    });

    it("register --json prints the new version as proto3 JSON", async () => {
      const model = unique("registered-json");
      const v = await okJson("register", model, "--version", "v1", "--uri", "s3://ml-models/m/v1", "--metadata", "accuracy=0.95");
      expect(v).toMatchObject({
        name: expect.stringMatching(/^registeredModels\/\d+\/versions\/\d+$/),
        registeredModelDisplayName: model,
        version: "v1",
        state: "STATE_LIVE",
        author: "cli@acme.com",
        customProperties: { accuracy: { doubleValue: 0.95 } },
      });
    });

    it("models list prints an aligned table and --json the resources", async () => {
      const model = unique("listed");
      await register(model, "v1");
      await ok("models", "archive", model);
      const out = await ok("models", "list", "--filter", `name = "${model}"`);
      expect(out.split("\n")[0]).toMatch(/^NAME +ID +STATE +OWNER +UPDATED +DESCRIPTION$/);
      expect(out).toMatch(new RegExp(`^${model} +\\d+ +ARCHIVED +- +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +-$`, "m"));
      expectAligned(out);
      const json = JSON.parse(await ok("models", "list", "--filter", `name = "${model}"`, "--json"));
      expect(json).toEqual([expect.objectContaining({ displayName: model, state: "STATE_ARCHIVED" })]);
    });

    it("models list --limit stops after N models and says so when there are none", async () => {
      const prefix = unique("limited");
      for (const i of [1, 2, 3]) await register(`${prefix}-${i}`, "v1");
      const out = await ok("models", "list", "--filter", `name LIKE "${prefix}-%"`, "--order-by", "display_name desc", "--limit", "2");
      expect(
        out
          .trimEnd()
          .split("\n")
          .slice(1)
          .map((l) => l.split(" ")[0]),
      ).toEqual([`${prefix}-3`, `${prefix}-2`]);
      const none = await cli("models", "list", "--filter", `name = "${unique("none")}"`);
      expect(none).toMatchObject({ code: 0, stdout: "no registered models\n", stderr: expect.stringMatching(/^no matches; /) });
    });

    it("models get shows the model's fields and metadata", async () => {
      const model = unique("shown");
      await register(model, "v1", "--owner", "risk-team");
      const out = await ok("models", "get", model);
      expect(out).toMatch(new RegExp(`^name: +${model}$`, "m"));
      expect(out).toMatch(/^resource: +registeredModels\/\d+$/m);
      expect(out).toMatch(/^state: +LIVE$/m);
      expect(out).toMatch(/^owner: +risk-team$/m);
    });

    it("models archive and restore change the state", async () => {
      const model = unique("archived");
      await register(model, "v1");
      expect(await ok("models", "archive", model)).toMatch(new RegExp(`^archived registered model ${model} \\(registeredModels/\\d+\\)\\n$`));
      const got = await server.client("connect-json-h1").getRegisteredModel({ displayName: model });
      expect(got.registeredModel?.state).toBe(State.ARCHIVED);
      expect(await ok("models", "restore", model)).toMatch(/^restored registered model /);
    });

    it("versions list shows each version with its state, author and URI", async () => {
      const model = unique("versions");
      await register(model, "v1");
      await register(model, "v2", "--author", "someone@acme.com");
      const out = await ok("versions", "list", model);
      const lines = out.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^VERSION +STATE +ALIASES +AUTHOR +CREATED +URI$/);
      expect(lines[1]).toMatch(new RegExp(`^v1 +LIVE +- +cli@acme.com +\\S+ \\S+ +s3://ml-models/${model}/v1/model.onnx$`));
      expect(lines[2]).toMatch(new RegExp(`^v2 +LIVE +- +someone@acme.com +\\S+ \\S+ +s3://ml-models/${model}/v2/model.onnx$`));
      expectAligned(out);
    });

    it("versions list --json prints every version of the model, oldest first", async () => {
      const model = unique("versions-json");
      await register(model, "v1");
      await register(model, "v2", "--author", "someone@acme.com");
      const versions = await okJson("versions", "list", model);
      expect(versions).toEqual([
        expect.objectContaining({ registeredModelDisplayName: model, version: "v1", state: "STATE_LIVE", author: "cli@acme.com" }),
        expect.objectContaining({ registeredModelDisplayName: model, version: "v2", state: "STATE_LIVE", author: "someone@acme.com" }),
      ]);
    });

    it("versions list of a missing model exits 1 with nothing on stdout", async () => {
      const res = await cli("versions", "list", unique("missing"), "--json");
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/not found \(not_found\)\n$/);
    });

    it("versions list - lists across models with a MODEL column", async () => {
      const model = unique("across");
      await register(model, "v1");
      const out = await ok("versions", "list", "-", "--filter", `version = "v1"`);
      expect(out.split("\n")[0]).toMatch(/^MODEL +VERSION +STATE/);
      expect(out).toMatch(new RegExp(`^${model} +v1 +LIVE`, "m"));
    });

    it("versions get shows fields, typed metadata and artifacts; latest works", async () => {
      const model = unique("detail");
      await register(
        model,
        "v2",
        "--format",
        "onnx",
        "--format-version",
        "1.14",
        "--description",
        "Retrained with Q4 2025 data",
        "--metadata",
        "accuracy=0.967",
        "--metadata",
        "training_pipeline_run=run-xyz789",
      );
      const out = await ok("versions", "get", model, "latest");
      expect(out).toMatch(/^version: +v2$/m);
      expect(out).toMatch(/^description: +Retrained with Q4 2025 data$/m);
      expect(out).toMatch(/^METADATA +VALUE +TYPE$/m);
      expect(out).toMatch(/^accuracy +0\.967 +double$/m);
      expect(out).toMatch(/^training_pipeline_run +run-xyz789 +string$/m);
      expect(out).toMatch(new RegExp(`^\\d+ +s3://ml-models/${model}/v2/model.onnx +onnx 1\\.14 +UNKNOWN$`, "m"));
      const json = JSON.parse(await ok("versions", "get", model, "v2", "--json"));
      expect(json.modelVersion.customProperties.accuracy).toEqual({ doubleValue: 0.967 });
      expect(json.modelArtifacts[0].uri).toBe(`s3://ml-models/${model}/v2/model.onnx`);
    });

    it("versions compare puts metrics side by side and marks the best", async () => {
      const model = unique("compared");
      await register(model, "v1", "--metadata", "accuracy=0.91", "--metadata", "loss=0.3");
      await register(model, "v2", "--metadata", "accuracy=0.95", "--metadata", "loss=0.4");
      const out = await ok("versions", "compare", model, "v1", "v2");
      expect(out).toMatch(/^KEY +v1 +v2 +BEST$/m);
      expect(out).toMatch(/^accuracy +0\.91 +0\.95 \* +v2 \(higher\)$/m);
      expect(out).toMatch(/^loss +0\.3 \* +0\.4 +v1 \(lower\)$/m);
      expectAligned(out);
      const json = JSON.parse(await ok("versions", "compare", model, "v1", "v2", "--keys", "accuracy", "--json"));
      expect(json.rows.map((r: { key: string }) => r.key)).toEqual(["accuracy"]);
    });

    it("alias set moves an alias, shows where it was, and versions list shows it", async () => {
      const model = unique("aliased");
      await register(model, "v1");
      await register(model, "v2");
      expect(await ok("alias", "set", model, "production", "v1")).toBe(`${model} @production -> v1 (new)\n`);
      expect(await ok("alias", "set", model, "production", "v2", "--expect", "v1", "--reason", "better recall")).toBe(
        `${model} @production -> v2 (was v1)\n`,
      );
      expect(await ok("alias", "set", model, "staging", "@production")).toBe(`${model} @staging -> v2 (new)\n`);
      expect(await ok("versions", "list", model)).toMatch(/^v2 +LIVE +production,staging +/m);
      const list = await ok("alias", "list", model);
      expect(list).toMatch(/^ALIAS +VERSION +UPDATED\nproduction +v2 +\S+ \S+\nstaging +v2 +\S+ \S+\n$/);
    });

    it("alias set with a stale --expect exits 1 with ALIAS_CHANGED; alias rm removes it", async () => {
      const model = unique("cas");
      await register(model, "v1");
      await register(model, "v2");
      await ok("alias", "set", model, "production", "v2");
      const lost = await cli("alias", "set", model, "production", "v1", "--expect", "v1");
      expect(lost.code).toBe(1);
      expect(lost.stderr).toMatch(/ \(aborted, ALIAS_CHANGED\)\n$/);
      expect((await cli("alias", "set", model, "production", "v1", "--expect-new")).stderr).toMatch(/ALIAS_CHANGED/);
      expect(await ok("alias", "rm", model, "production", "--expect", "v2")).toBe(`removed ${model} @production (was v2)\n`);
      expect(await ok("alias", "list", model)).toBe(`no aliases on ${model}\n`);
    });

    it("alias set --json prints the alias and the version it pointed at before", async () => {
      const model = unique("aliased-json");
      await register(model, "v1");
      await register(model, "v2");
      const first = await okJson("alias", "set", model, "production", "v1");
      expect(first.alias).toMatchObject({ alias: "production", version: "v1", registeredModelDisplayName: model });
      expect(first.previousModelVersion).toBeUndefined();
      const moved = await okJson("alias", "set", model, "production", "v2", "--expect", "v1");
      expect(moved.alias).toMatchObject({ alias: "production", version: "v2", modelVersion: expect.stringMatching(/\/versions\/\d+$/) });
      expect(moved.previousModelVersion).toBe(first.alias.modelVersion);
    });

    it("alias rm --json prints the removed alias", async () => {
      const model = unique("removed-json");
      await register(model, "v1");
      await ok("alias", "set", model, "staging", "v1");
      const removed = await okJson("alias", "rm", model, "staging");
      expect(removed).toMatchObject({ name: expect.stringMatching(/^registeredModels\/\d+\/aliases\/staging$/), alias: "staging", version: "v1" });
      expect(await ok("alias", "list", model)).toBe(`no aliases on ${model}\n`);
    });

    it("alias rm of a missing alias exits 1 with not_found", async () => {
      const model = unique("no-alias");
      await register(model, "v1");
      const res = await cli("alias", "rm", model, "production");
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/ \(not_found\)\n$/);
    });

    it("models archive --json prints the archived model and, with --cascade, its archived versions", async () => {
      const model = unique("archived-json");
      await register(model, "v1");
      await register(model, "v2");
      const res = await okJson("models", "archive", model, "--cascade");
      expect(res.registeredModel).toMatchObject({ displayName: model, state: "STATE_ARCHIVED" });
      expect(res.archivedModelVersions.map((v: { version: string; state: string }) => [v.version, v.state])).toEqual([
        ["v1", "STATE_ARCHIVED"],
        ["v2", "STATE_ARCHIVED"],
      ]);
    });

    it("models archive refuses a model an alias uses, and --cascade archives its versions too", async () => {
      const model = unique("in-use");
      await register(model, "v1");
      await ok("alias", "set", model, "production", "v1");
      const refused = await cli("models", "archive", model);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/ \(failed_precondition, MODEL_IN_USE\)\n$/);
      expect(await ok("models", "archive", model, "--cascade", "--reason", "retired")).toMatch(
        new RegExp(`^archived registered model ${model} \\(registeredModels/\\d+\\) and versions v1\\n$`),
      );
    });

    it("events prints the audit log with actor and resource", async () => {
      const model = unique("audited");
      await register(model, "v1");
      const out = await ok("events", "--model", model, "--resource-type", "ModelVersion");
      const lines = out.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^REVISION +TIME +TYPE +RESOURCE +WHAT +ACTOR +REASON$/);
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(new RegExp(`^\\d+ +\\S+ \\S+ +CREATED +registeredModels/\\d+/versions/\\d+ +${model} v1 +cli@acme.com +-$`)),
      ]);
      const created = JSON.parse(await ok("events", "--model", model, "--type", "created", "--json"));
      expect(created.map((e: { resourceType: string }) => e.resourceType)).toEqual(["RegisteredModel", "ModelVersion", "ModelArtifact"]);
      const newest = await ok("events", "--model", model, "--newest-first", "--limit", "1");
      expect(newest.trimEnd().split("\n")).toHaveLength(2);
    });

    it("watch prints a header and one line per change with the state and the URI in full, and exits 0 when stopped", async () => {
      const model = unique("watched");
      await register(model, "v1");
      const w = startClientInProcess(["watch", "--model", model, "--from", "0", "--server", server.url]);
      await w.until((out) => watchLines(out).length === 4, "the header and three CREATED lines");
      const res = await w.stop();
      expect(res.code).toBe(0);
      expect(res.stderr).toBe(`# connected to ${server.url}; printing changes after revision 0\n`);
      const [header, ...lines] = watchLines(res.stdout);
      expect(header).toMatch(/^REVISION +TIME +TYPE +STATE +RESOURCE +WHAT +ACTOR +REASON$/);
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^\\d+ +\\S+ \\S+Z +CREATED +LIVE +registeredModels/\\d+ +model ${model} +cli@acme.com +-$`)),
        expect.stringMatching(new RegExp(`^\\d+ +\\S+ \\S+Z +CREATED +LIVE +registeredModels/\\d+/versions/\\d+ +${model} v1 +cli@acme.com +-$`)),
        expect.stringMatching(
          new RegExp(
            `^\\d+ +\\S+ \\S+Z +CREATED +UNKNOWN +registeredModels/\\d+/versions/\\d+/artifacts/\\d+ +artifact s3://ml-models/${model}/v1/model.onnx +cli@acme.com +-$`,
          ),
        ),
      ]);
      // The lines whose WHAT fits its column are aligned; the artifact's URI, in full, pushes the rest of its line right.
      expectAligned([header, ...lines.slice(0, 2)].join("\n"));
    });

    it("watch --json prints each event as one line of proto3 JSON", async () => {
      const model = unique("watched-json");
      await register(model, "v1");
      const w = startClientInProcess(["watch", "--model", model, "--from", "0", "--resource-type", "ModelVersion", "--json", "--server", server.url]);
      await w.until((out) => out.includes('"event"'), "the event line");
      const res = await w.stop();
      expect(res.code).toBe(0);
      const events = watchLines(res.stdout)
        .map((line) => JSON.parse(line))
        .filter((m) => m.event);
      expect(events).toEqual([
        {
          event: expect.objectContaining({
            type: "EVENT_TYPE_CREATED",
            resourceType: "ModelVersion",
            resourceName: expect.stringMatching(/^registeredModels\/\d+\/versions\/\d+$/),
            revision: expect.stringMatching(/^\d+$/),
            actor: "cli@acme.com",
          }),
        },
      ]);
      expect(events[0].event.resource.modelVersion).toMatchObject({ registeredModelDisplayName: model, version: "v1" });
    });

    it("watch from a revision the server has not reached exits 1 with out_of_range", async () => {
      const res = await cli("watch", "--from", "999999999");
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/ \(out_of_range(, \w+)?\)\n$/);
    });

    it("a missing model prints one line with the code and exits 1", async () => {
      const res = await cli("versions", "get", unique("missing"), "v1");
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/^model-registry: registered model "missing-\w+" not found \(not_found\)\n$/);
    });

    it("an existing version prints already_exists with the reason", async () => {
      const model = unique("dup");
      await register(model, "v1");
      const res = await cli("register", model, "--version", "v1", "--uri", "s3://b/m");
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^model-registry: .* \(already_exists, VERSION_EXISTS\)\n$/);
    });

    it("invalid input prints every bad field on one line", async () => {
      const res = await cli("register", unique("bad"), "--version", "latest", "--uri", "not a uri");
      expect(res.code).toBe(1);
      expect(res.stderr.split("\n")).toHaveLength(2);
      expect(res.stderr).toMatch(/model_version\.version: .*; model_artifacts\[0\]\.uri: .* \(invalid_argument\)\n$/);
    });

    it("usage mistakes exit 2 with the command's usage", async () => {
      for (const args of [
        ["models", "frobnicate"],
        ["versions", "get", "only-model"],
        ["register", "m", "--uri", "s3://b"],
        ["models", "list", "--nope"],
      ]) {
        const res = await cli(...args);
        expect(res.code, args.join(" ")).toBe(2);
        expect(res.stderr).toMatch(/^model-registry \w+: .*\n\nusage:/);
      }
      expect((await cli("register", "m", "--version", "v", "--uri", "s3://b", "--metadata-json", '{"n": 9007199254740993}')).stderr).toMatch(
        /beyond 2\^53/,
      );
      expect((await cli("events", "--type", "exploded")).stderr).toMatch(/unknown event type "exploded" \(created, updated/);
    });

    it("--help prints the command's usage and the global flags", async () => {
      const res = await cli("versions", "--help");
      expect(res.code).toBe(0);
      expect(res.stdout).toContain("model-registry versions compare MODEL VERSION VERSION...");
      expect(res.stdout).toContain("--server URL");
    });

    it("an unreachable server prints one line and exits 1", async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const res = await runClientInProcess(["models", "list", "--server", url]);
      expect(res).toEqual({ code: 1, stdout: "", stderr: `model-registry: cannot reach ${url} (ECONNREFUSED)\n` });
    });

    it("versions archive and restore change the version's state, with the reason in the audit log", async () => {
      const model = unique("version-archived");
      await register(model, "v1");
      expect(await ok("versions", "archive", model, "v1", "--reason", "bad recall")).toMatch(
        new RegExp(`^archived model version ${model} v1 \\(registeredModels/\\d+/versions/\\d+\\)\\n$`),
      );
      expect(await ok("versions", "list", model)).toMatch(/^v1 +ARCHIVED +/m);
      const events = await okJson("events", "--model", model, "--type", "state_changed");
      expect(events).toEqual([expect.objectContaining({ resourceType: "ModelVersion", reason: "bad recall", actor: "cli@acme.com" })]);
      expect(await ok("versions", "restore", model, "v1")).toMatch(new RegExp(`^restored model version ${model} v1 `));
      expect((await okJson("versions", "get", model, "v1")).modelVersion.state).toBe("STATE_LIVE");
    });

    it("versions archive refuses a version an alias points at", async () => {
      const model = unique("version-in-use");
      await register(model, "v1");
      await ok("alias", "set", model, "production", "v1");
      const refused = await cli("versions", "archive", model, "v1");
      expect(refused).toMatchObject({ code: 1, stdout: "" });
      expect(refused.stderr).toMatch(/^model-registry: .* \(failed_precondition, VERSION_IN_USE\)\n$/);
    });

    it("records the OS user name as the actor when neither --actor nor MODEL_REGISTRY_ACTOR is set ($USER empty)", async () => {
      const model = unique("os-user");
      const res = await runClientInProcess(["register", model, "--version", "v1", "--uri", "s3://b/m", "--json", "--server", server.url], {
        USER: "",
      });
      expect(res.code).toBe(0);
      expect(userInfo().username).not.toBe("");
      expect(JSON.parse(res.stdout).author).toBe(userInfo().username);
    });

    it("refuses a filter field one typo away from a built-in field, saying which one", async () => {
      const model = unique("typo");
      await register(model, "v1");
      const res = await cli("versions", "list", model, "--filter", "stat = 'LIVE'");
      expect(res).toMatchObject({ code: 1, stdout: "" });
      expect(res.stderr).toMatch(
        /^model-registry: filter: unknown field 'stat' at 0: did you mean state\? .*\(invalid_argument, INVALID_FILTER\)\n$/,
      );
      // Spelled as a property, or far from every built-in field, it stays a custom-property filter.
      expect(await ok("versions", "list", model, "--filter", "custom_properties.stat = 'LIVE'", "--json")).toBe("[]\n");
      expect(await ok("versions", "list", model, "--filter", "`stat` = 'LIVE'", "--json")).toBe("[]\n");
      expect(await ok("versions", "list", model, "--filter", "stage = 'production'", "--json")).toBe("[]\n");
    });

    it("answers an unquoted string value with how to quote it", async () => {
      const res = await cli("versions", "list", "-", "--filter", "model = fraud-detector");
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        /^model-registry: filter: unexpected 'fraud-detector' at 8; quote strings: model = 'fraud-detector' \(invalid_argument, INVALID_FILTER\)\n$/,
      );
    });

    it("leaves the Kubeflow REST gateway as Kubeflow is: a misspelled field answers an empty page", async () => {
      const model = unique("rest-typo");
      await register(model, "v1");
      const query = new URLSearchParams({ filterQuery: "stat = 'LIVE'" });
      const res = await fetch(`${server.url}/api/model_registry/v1alpha3/registered_models?${query}`);
      expect(res.status).toBe(200);
      expect((await res.json()).items ?? []).toEqual([]);
    });

    it("names the property keys of the model's versions on stderr when a filter matches nothing", async () => {
      const model = unique("no-match");
      await register(model, "v1", "--metadata", "accuracy=0.91", "--metadata", "loss=0.3");
      await register(model, "v2", "--metadata", "accuracy=0.95", "--metadata", "f1_score=0.9");
      const res = await cli("versions", "list", model, "--filter", "acuracy > 0.9");
      expect(res).toEqual({ code: 0, stdout: "no model versions\n", stderr: "no matches; property keys on this model: accuracy, f1_score, loss\n" });
      // A filter that matches prints no hint; neither does --json (stderr stays for errors there).
      expect((await cli("versions", "list", model, "--filter", "accuracy > 0.9")).stderr).toBe("");
      expect((await cli("versions", "list", model, "--filter", "acuracy > 0.9", "--json")).stderr).toBe("");
    });

    it("watch says where it connected and from which revision, on stderr", async () => {
      const model = unique("watch-status");
      await register(model, "v1");
      const from = (await server.client("connect-json-h1").listRegisteredModels({ pageSize: 1 })).revision;
      const w = startClientInProcess(["watch", "--model", model, "--from", from.toString(), "--server", server.url]);
      await w.until(() => w.stderr().includes("\n"), "the status line");
      const res = await w.stop();
      expect(res).toMatchObject({ code: 0, stdout: "", stderr: `# connected to ${server.url}; printing changes after revision ${from}\n` });
    });

    it("watch shows the state on STATE_CHANGED and INITIAL lines", async () => {
      const model = unique("watch-state");
      await register(model, "v1");
      await ok("versions", "archive", model, "v1");
      const changes = startClientInProcess(["watch", "--model", model, "--from", "0", "--resource-type", "ModelVersion", "--server", server.url]);
      await changes.until((out) => out.includes("STATE_CHANGED"), "the STATE_CHANGED line");
      expect(
        watchLines((await changes.stop()).stdout)
          .slice(1)
          .map((l) => l.split(/ {2,}/).slice(2, 4)),
      ).toEqual([
        ["CREATED", "LIVE"],
        ["STATE_CHANGED", "ARCHIVED"],
      ]);
      const current = startClientInProcess(["watch", "--model", model, "--initial", "--resource-type", "ModelVersion", "--server", server.url]);
      await current.until((out) => out.includes("INITIAL"), "the INITIAL line");
      expect(
        watchLines((await current.stop()).stdout)[1]!
          .split(/ {2,}/)
          .slice(2, 4),
      ).toEqual(["INITIAL", "ARCHIVED"]);
    });

    it("watch --wide prints a long reason in full; without it the reason is cut to its column", async () => {
      const model = unique("watch-wide");
      await register(model, "v1");
      const reason = `retired because a much better model replaced it in the ${model} pipeline`;
      await ok("versions", "archive", model, "v1", "--reason", reason);
      const lineOf = async (...flags: string[]) => {
        const w = startClientInProcess([
          "watch",
          "--model",
          model,
          "--from",
          "0",
          "--resource-type",
          "ModelVersion",
          ...flags,
          "--server",
          server.url,
        ]);
        await w.until((out) => out.includes("STATE_CHANGED"), "the STATE_CHANGED line");
        return watchLines((await w.stop()).stdout).find((l) => l.includes("STATE_CHANGED"))!;
      };
      expect(await lineOf("--wide")).toMatch(new RegExp(` ${reason}$`));
      expect(await lineOf()).toMatch(/ retired because a much better model rep…$/);
    });

    it("watch against a server that is down retries a bounded number of times, printing each, then exits 1", async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const res = await runClientInProcess(["watch", "--retries", "2", "--server", url]);
      expect(res).toEqual({
        code: 1,
        stdout: "",
        stderr: [
          `# cannot reach ${url} (ECONNREFUSED); retry 1 of 2 in 500 ms`,
          `# cannot reach ${url} (ECONNREFUSED); retry 2 of 2 in 1000 ms`,
          "# giving up after 2 retries",
          `model-registry: cannot reach ${url} (ECONNREFUSED)`,
          "",
        ].join("\n"),
      });
    });

    it("takes the server from MODEL_REGISTRY_SERVER when --server is absent", async () => {
      const model = unique("env");
      await register(model, "v1");
      const res = await runClientInProcess(["models", "get", model, "--json"], { MODEL_REGISTRY_SERVER: server.url });
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout).displayName).toBe(model);
    });
  });
}
