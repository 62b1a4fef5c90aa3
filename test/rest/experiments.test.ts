import { expect, it } from "vitest";
import { mv } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

describeKubeflow("Kubeflow REST: experiments, runs, metric history", (suite) => {
  const { api, unique } = suite;
  const newExperiment = (extra: Record<string, unknown> = {}) => api.ok("createExperiment", { body: { name: unique("exp"), ...extra } }, 201);
  const ids = (page: { items: Array<{ id: string }> }) => page.items.map((x) => x.id);

  it("creates, finds, lists and patches experiments", async () => {
    const exp = await newExperiment({ description: "churn", owner: "ds-team", externalId: unique("ext"), customProperties: { q: mv.string("Q4") } });
    expect(exp).toMatchObject({ description: "churn", owner: "ds-team", state: "LIVE", customProperties: { q: mv.string("Q4") } });
    expect(await api.ok("getExperiment", { path: { experimentId: exp.id } })).toEqual(exp);
    expect(await api.ok("findExperiment", { query: { name: exp.name } })).toEqual(exp);
    expect(await api.ok("findExperiment", { query: { externalId: exp.externalId } })).toEqual(exp);
    const listed = await api.ok("getExperiments", { query: { filterQuery: `name = "${exp.name}"` } });
    expect(ids(listed)).toEqual([exp.id]);
    const patched = await api.ok("updateExperiment", { path: { experimentId: exp.id }, body: { state: "ARCHIVED" } });
    expect(patched).toMatchObject({ description: "churn", owner: "ds-team", state: "ARCHIVED" });
    await api.fails("createExperiment", { body: { name: exp.name } }, 409);
    expect(await api.fails("createExperiment", { body: { owner: "x" } }, 422)).toEqual({
      code: "Bad Request",
      message: "required field 'name' is zero value.",
      reason: "REQUIRED_FIELD",
    });
    await api.fails("updateExperiment", { path: { experimentId: exp.id }, body: { name: "x" } }, 400);
    await api.fails("getExperiment", { path: { experimentId: "999999999" } }, 404);
    await api.fails("findExperiment", { query: { name: unique("missing") } }, 404);
  });

  it("creates runs both ways, finds them, lists them with Kubeflow's field names, and patches them", async () => {
    const exp = await newExperiment();
    const start = String(Date.now() - 60_000);
    const r1 = await api.ok(
      "createExperimentRun",
      { body: { experimentId: exp.id, name: "run-1", owner: "alice", startTimeSinceEpoch: start, externalId: unique("ext") } },
      201,
    );
    expect(r1).toMatchObject({ experimentId: exp.id, name: "run-1", owner: "alice", status: "RUNNING", state: "LIVE", startTimeSinceEpoch: start });
    const r2 = await api.ok("createExperimentExperimentRun", { path: { experimentId: exp.id }, body: { name: "run-2", owner: "bob" } }, 201);
    expect(await api.ok("getExperimentRun", { path: { experimentrunId: r1.id } })).toEqual(r1);
    expect(await api.ok("findExperimentRun", { query: { name: "run-2", parentResourceId: exp.id } })).toEqual(r2);
    expect(await api.ok("findExperimentRun", { query: { externalId: r1.externalId } })).toEqual(r1);
    expect(ids(await api.ok("getExperimentExperimentRuns", { path: { experimentId: exp.id } }))).toEqual([r1.id, r2.id]);
    expect(ids(await api.ok("getExperimentExperimentRuns", { path: { experimentId: exp.id }, query: { name: "run-1" } }))).toEqual([r1.id]);
    expect(ids(await api.ok("getExperimentRuns", { query: { filterQuery: `experimentId = ${exp.id} AND owner = "bob"` } }))).toEqual([r2.id]);
    const end = String(Date.now());
    const done = await api.ok("updateExperimentRun", {
      path: { experimentrunId: r1.id },
      body: { status: "FINISHED", endTimeSinceEpoch: end, state: "ARCHIVED" },
    });
    expect(done).toMatchObject({ name: "run-1", owner: "alice", status: "FINISHED", endTimeSinceEpoch: end, state: "ARCHIVED" });
    expect(await api.ok("getExperimentRun", { path: { experimentrunId: r1.id } })).toEqual(done);
  });

  it("rejects a run without experiment, with an unknown status or SCHEDULED, and in a missing experiment", async () => {
    const exp = await newExperiment();
    expect(await api.fails("createExperimentRun", { body: { name: "r" } }, 422)).toEqual({
      code: "Bad Request",
      message: "required field 'experimentId' is zero value.",
      reason: "REQUIRED_FIELD",
    });
    await api.fails("createExperimentRun", { body: { name: "r", experimentId: "999999999" } }, 422);
    await api.fails("createExperimentRun", { body: { experimentId: exp.id, status: "PAUSED" } }, 400);
    expect((await api.fails("createExperimentRun", { body: { experimentId: exp.id, status: "SCHEDULED" } }, 400)).reason).toBe(
      "UNSUPPORTED_RUN_STATUS",
    );
    await api.fails("createExperimentExperimentRun", { path: { experimentId: "999999999" }, body: { name: "r" } }, 404);
    await api.fails("createExperimentExperimentRun", { path: { experimentId: exp.id }, body: { name: "r", experimentId: "1" } }, 400);
    await api.fails("updateExperimentRun", { path: { experimentrunId: "999999999" }, body: { status: "FINISHED" } }, 404);
    await api.fails("getExperimentRun", { path: { experimentrunId: "999999999" } }, 404);
  });

  it("logs metric artifacts into the run's history and parameters into its params", async () => {
    const exp = await newExperiment();
    const run = await api.ok("createExperimentExperimentRun", { path: { experimentId: exp.id }, body: { name: "train" } }, 201);
    const log = (body: object, status: number) => api.ok("upsertExperimentRunArtifact", { path: { experimentrunId: run.id }, body }, status);
    const loss = await log({ artifactType: "metric", name: "loss", value: 0.9, step: 1, timestamp: "1700000000000" }, 201);
    expect(loss).toMatchObject({ artifactType: "metric", name: "loss", value: 0.9, step: 1, experimentRunId: run.id, experimentId: exp.id });
    expect(await log({ artifactType: "metric", name: "loss", value: 0.5, step: 2 }, 200)).toMatchObject({ id: loss.id, value: 0.5, step: 2 });
    await log({ artifactType: "metric", name: "accuracy", value: 0.8, step: 2 }, 201);
    await log({ artifactType: "parameter", name: "lr", value: "0.01", parameterType: "number" }, 201);
    await log({ artifactType: "dataset-artifact", name: "train", uri: "s3://data/train" }, 201);
    expect(
      (
        await api.fails(
          "upsertExperimentRunArtifact",
          { path: { experimentrunId: run.id }, body: { artifactType: "model-artifact", name: "m", uri: "s3://b/m" } },
          400,
        )
      ).reason,
    ).toBe("UNSUPPORTED_ARTIFACT_TYPE");

    const history = await api.ok("getExperimentRunMetricHistory", { path: { experimentrunId: run.id }, query: { name: "loss" } });
    expect(history.items.map((m: { value: number; step: number }) => [m.value, m.step])).toEqual([
      [0.9, 1],
      [0.5, 2],
    ]);
    expect(history.items[0]).toMatchObject({ timestamp: "1700000000000", experimentRunId: run.id, experimentId: exp.id });
    const step2 = await api.ok("getExperimentRunMetricHistory", { path: { experimentrunId: run.id }, query: { stepIds: "2" } });
    expect(step2.items.map((m: { name: string }) => m.name).sort()).toEqual(["accuracy", "loss"]);
    const across = await api.ok("getExperimentRunsMetricHistory", {
      query: { filterQuery: `experimentRunId = ${run.id}`, name: "accuracy" },
    });
    expect(across.items.map((m: { value: number }) => m.value)).toEqual([0.8]);
    const artifacts = await api.ok("getExperimentRunArtifacts", { path: { experimentrunId: run.id } });
    expect(artifacts.items.map((a: { artifactType: string; name: string }) => `${a.artifactType}:${a.name}`)).toEqual([
      "metric:loss",
      "metric:accuracy",
      "parameter:lr",
      "dataset-artifact:train",
    ]);
    const metricsOnly = await api.ok("getExperimentRunArtifacts", {
      path: { experimentrunId: run.id },
      query: { artifactType: "metric", pageSize: "1" },
    });
    expect(metricsOnly.items).toHaveLength(1);
    expect(metricsOnly.nextPageToken).not.toBe("");

    const grpc = suite.server.client("grpc");
    const got = (await grpc.getExperimentRun({ name: `experiments/${exp.id}/runs/${run.id}` })).experimentRun!;
    expect(got.metrics).toEqual({ loss: 0.5, accuracy: 0.8 });
    expect(got.params.lr?.kind).toEqual({ case: "doubleValue", value: 0.01 });
  });

  it("pages through metric history with nextPageToken in step order, and answers 404 for a missing run", async () => {
    const exp = await newExperiment();
    const run = await api.ok("createExperimentExperimentRun", { path: { experimentId: exp.id }, body: { name: "long" } }, 201);
    for (let step = 1; step <= 5; step++) {
      await api.ok(
        "upsertExperimentRunArtifact",
        { path: { experimentrunId: run.id }, body: { artifactType: "metric", name: "loss", value: 1 / step, step } },
        step === 1 ? 201 : 200,
      );
    }
    const steps: number[] = [];
    let token = "";
    do {
      const page = await api.ok("getExperimentRunMetricHistory", {
        path: { experimentrunId: run.id },
        query: { pageSize: "2", nextPageToken: token },
      });
      steps.push(...page.items.map((m: { step: number }) => m.step));
      token = page.nextPageToken;
    } while (token !== "");
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    const desc = await api.ok("getExperimentRunMetricHistory", { path: { experimentrunId: run.id }, query: { sortOrder: "DESC", pageSize: "1" } });
    expect(desc.items[0].step).toBe(5);
    await api.fails("getExperimentRunMetricHistory", { path: { experimentrunId: "999999999" } }, 404);
    await api.fails("getExperimentRunArtifacts", { path: { experimentrunId: "999999999" } }, 404);
    await api.fails("getExperimentRunsMetricHistory", { query: { stepIds: "one" } }, 400);
  });
});
