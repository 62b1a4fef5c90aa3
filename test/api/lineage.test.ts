import { randomBytes } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { ExperimentRunStatus } from "../../gen/modelregistry/v1/lineage_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { PROTOCOLS, startTestServer, type TestServer } from "../support/server.js";

const dbl = (value: number) => ({ kind: { case: "doubleValue" as const, value } });
const int = (value: bigint) => ({ kind: { case: "intValue" as const, value } });
const str = (value: string) => ({ kind: { case: "stringValue" as const, value } });

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] experiments, runs and lineage`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        const client = () => server.client(protocol);

        async function experimentWithRun() {
          const experiment = (await client().createExperiment({ experiment: { displayName: unique("churn-tuning"), owner: "ds-team" } })).experiment!;
          const run = (
            await client().createExperimentRun({
              parent: experiment.name,
              experimentRun: {
                displayName: "xgb-depth-6",
                author: "ana@acme.com",
                params: { learning_rate: dbl(0.05), max_depth: int(6n), objective: str("binary:logistic") },
                metrics: { accuracy: 0.91 },
                datasets: [{ name: "churn-events", uri: "s3://data/churn/2025-q4/", digest: "sha256:abc", source: "s3", context: "training" }],
              },
            })
          ).experimentRun!;
          return { experiment, run };
        }

        it("creates an experiment and finds it by name and display name", async () => {
          const { experiment } = await experimentWithRun();
          expect(experiment.name).toMatch(/^experiments\/\d+$/);
          expect(experiment.state).toBe(State.LIVE);
          const byName = await client().getExperiment({ name: experiment.name });
          const byDisplay = await client().getExperiment({ displayName: experiment.displayName });
          expect(byName.experiment).toEqual(byDisplay.experiment);
          const dup = await failure(client().createExperiment({ experiment: { displayName: experiment.displayName } }));
          expect(dup.code).toBe("AlreadyExists");
          expect(dup.reason).toBe("EXPERIMENT_EXISTS");
          const listed = await client().listExperiments({ filter: `display_name = "${experiment.displayName}"` });
          expect(listed.experiments.map((e) => e.name)).toEqual([experiment.name]);
        });

        it("keeps a run's typed params, metrics and datasets", async () => {
          const { experiment, run } = await experimentWithRun();
          expect(run.name).toMatch(new RegExp(`^${experiment.name}/runs/\\d+$`));
          expect(run.status).toBe(ExperimentRunStatus.RUNNING);
          const got = (await client().getExperimentRun({ name: run.name })).experimentRun!;
          expect(got.params.max_depth?.kind).toEqual({ case: "intValue", value: 6n });
          expect(got.params.learning_rate?.kind).toEqual({ case: "doubleValue", value: 0.05 });
          expect(got.metrics).toEqual({ accuracy: 0.91 });
          expect(got.datasets[0]).toMatchObject({ name: "churn-events", digest: "sha256:abc", context: "training" });
          const runs = await client().listExperimentRuns({ parent: experiment.name });
          expect(runs.experimentRuns.map((r) => r.name)).toEqual([run.name]);
          const everywhere = await client().listExperimentRuns({ parent: "experiments/-", filter: `experiment_id = ${experiment.id}` });
          expect(everywhere.experimentRuns).toHaveLength(1);
        });

        it("logs metrics with steps, keeps the highest step as latest and pages the history", async () => {
          const { run } = await experimentWithRun();
          for (let step = 1; step <= 5; step++) {
            await client().logExperimentRunMetrics({ name: run.name, metrics: [{ key: "loss", value: 1 / step, step: BigInt(step) }] });
          }
          const late = await client().logExperimentRunMetrics({ name: run.name, metrics: [{ key: "loss", value: 9, step: 2n }] });
          expect(late.experimentRun?.metrics.loss).toBe(0.2);
          const page1 = await client().listExperimentRunMetricHistory({ parent: run.name, filter: 'key = "loss"', pageSize: 4 });
          const page2 = await client().listExperimentRunMetricHistory({
            parent: run.name,
            filter: 'key = "loss"',
            pageSize: 4,
            pageToken: page1.nextPageToken,
          });
          expect([...page1.metrics, ...page2.metrics].map((m) => Number(m.step))).toEqual([1, 2, 2, 3, 4, 5]);
          expect(page2.nextPageToken).toBe("");
          const bad = await failure(client().logExperimentRunMetrics({ name: run.name, metrics: [{ key: "loss", value: Number.NaN }] }));
          expect(bad.code).toBe("InvalidArgument");
          expect((await failure(client().logExperimentRunMetrics({ name: run.name, metrics: [] }))).code).toBe("InvalidArgument");
        });

        it("updates a run with a field mask and finishes it", async () => {
          const { run } = await experimentWithRun();
          const end = new Date(Date.now() + 1000);
          const updated = (
            await client().updateExperimentRun({
              experimentRun: { name: run.name, status: ExperimentRunStatus.FINISHED, endTime: timestampFromDate(end) },
              updateMask: { paths: ["status", "end_time"] },
            })
          ).experimentRun!;
          expect(updated.status).toBe(ExperimentRunStatus.FINISHED);
          expect(updated.endTime).toEqual(timestampFromDate(end));
          expect(updated.params.max_depth).toBeDefined();
          expect(updated.metrics.accuracy).toBe(0.91);
          const metrics = await failure(client().updateExperimentRun({ experimentRun: { name: run.name }, updateMask: { paths: ["metrics"] } }));
          expect(metrics.reason).toBe("INVALID_UPDATE_MASK");
        });

        it("returns a version's run, params, metrics, datasets and artifacts in one GetLineage call", async () => {
          const { experiment, run } = await experimentWithRun();
          const name = unique("churn-model");
          const registered = await client().registerModel({
            registeredModel: { displayName: name },
            modelVersion: {
              version: "v1",
              source: {
                experimentRun: run.name,
                pipelineRunId: "kfp-run-42",
                codeCommit: "git@github.com:acme/churn.git#3f2a9c1",
                datasets: [
                  { name: "churn-events", uri: "s3://data/churn/2025-q4/", digest: "sha256:abc", source: "s3", context: "training" },
                  { name: "churn-holdout", uri: "s3://data/churn/holdout/", context: "validation" },
                ],
              },
            },
            modelArtifacts: [{ uri: "s3://models/churn/v1/model.bst", modelFormatName: "xgboost" }],
          });
          const version = registered.modelVersion!;
          expect(version.source?.experimentRun).toBe(run.name);

          const lineage = await client().getLineage({ registeredModelDisplayName: name, version: "v1" });
          expect(lineage.modelVersion?.name).toBe(version.name);
          expect(lineage.experimentRun?.name).toBe(run.name);
          expect(lineage.experimentRun?.params.learning_rate?.kind.value).toBe(0.05);
          expect(lineage.experimentRun?.metrics.accuracy).toBe(0.91);
          expect(lineage.experiment?.name).toBe(experiment.name);
          expect(lineage.datasets.map((d) => d.name)).toEqual(["churn-events", "churn-holdout"]);
          expect(lineage.modelArtifacts.map((a) => a.uri)).toEqual(["s3://models/churn/v1/model.bst"]);
          expect(lineage.modelVersion?.source?.codeCommit).toBe("git@github.com:acme/churn.git#3f2a9c1");

          const fromRun = await client().listModelVersions({ parent: "registeredModels/-", filter: `experiment_run_id = ${run.id}` });
          expect(fromRun.modelVersions.map((v) => v.name)).toEqual([version.name]);
        });

        it("refuses a version naming a run that does not exist, writing nothing", async () => {
          const { experiment } = await experimentWithRun();
          const name = unique("ghost");
          const missing = await failure(
            client().registerModel({
              registeredModel: { displayName: name },
              modelVersion: { version: "v1", source: { experimentRun: `${experiment.name}/runs/999999999` } },
            }),
          );
          expect(missing.code).toBe("NotFound");
          expect((await failure(client().getRegisteredModel({ displayName: name }))).code).toBe("NotFound");
          const malformed = await failure(
            client().registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1", source: { experimentRun: "runs/1" } } }),
          );
          expect(malformed.reason).toBe("INVALID_NAME");
        });

        it("refuses to delete a run or experiment that is a version's source unless forced", async () => {
          const { experiment, run } = await experimentWithRun();
          const name = unique("sourced");
          const v = await client().registerModel({
            registeredModel: { displayName: name },
            modelVersion: { version: "v1", source: { experimentRun: run.name } },
          });
          expect((await failure(client().deleteExperimentRun({ name: run.name }))).reason).toBe("RUN_IN_USE");
          expect((await failure(client().deleteExperiment({ name: experiment.name }))).reason).toBe("EXPERIMENT_IN_USE");
          expect((await client().getExperimentRun({ name: run.name })).experimentRun?.metrics.accuracy).toBe(0.91);

          const deleted = await client().deleteExperiment({ name: experiment.name, force: true });
          expect(deleted.deletedExperimentRuns).toBe(1);
          expect((await failure(client().getExperimentRun({ name: run.name }))).code).toBe("NotFound");
          const lineage = await client().getLineage({ name: v.modelVersion!.name });
          expect(lineage.experimentRun).toBeUndefined();
          expect(lineage.modelVersion?.source?.experimentRun).toBe(run.name);
          // The version still updates: its source is only checked when it changes.
          await client().updateModelVersion({
            modelVersion: { name: v.modelVersion!.name, description: "kept" },
            updateMask: { paths: ["description"] },
          });
          const events = await client().listEvents({ resourceTypes: ["ExperimentRun", "Experiment"], resourceName: run.name });
          expect(events.events.map((e) => e.type)).toEqual([EventType.CREATED, EventType.DELETED]);
          expect(events.events[1]?.resource?.resource.case).toBe("experimentRun");
        });

        it("deletes a run nobody uses and refuses runs in an archived experiment", async () => {
          const { experiment, run } = await experimentWithRun();
          await client().deleteExperimentRun({ name: run.name });
          await client().updateExperiment({ experiment: { name: experiment.name, state: State.ARCHIVED }, updateMask: { paths: ["state"] } });
          const refused = await failure(client().createExperimentRun({ parent: experiment.name, experimentRun: { displayName: "late" } }));
          expect(refused.reason).toBe("EXPERIMENT_ARCHIVED");
          expect((await client().listExperimentRuns({ parent: experiment.name })).experimentRuns).toEqual([]);
        });
      });
    }
  });
}
