import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DesiredState } from "../../gen/modelregistry/v1/deployments_pb.js";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { ExperimentRunStatus } from "../../gen/modelregistry/v1/lineage_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { startTestServer, type TestServer } from "../support/server.js";

const dbl = (value: number) => ({ kind: { case: "doubleValue" as const, value } });
const int = (value: bigint) => ({ kind: { case: "intValue" as const, value } });

/**
 * The ACME churn-model story end to end, as README's "Lifecycle" section walks it: a data
 * scientist trains runs and registers three versions with lineage, compares them and promotes
 * the best through @staging to @production; MLOps deploys @production; the controller reports;
 * on-call rolls back; an auditor reads who did what and why.
 */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] the ACME churn-model story`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    it("trains, registers with lineage, compares, promotes, deploys, reports, rolls back and audits", async () => {
      const client = server.client("grpc");
      const as = (actor: string) => ({ headers: { "x-actor": actor } });
      const suffix = randomBytes(3).toString("hex");
      const modelName = `acme-churn-${suffix}`;

      // 1. Ana (data scientist) trains three runs in an experiment.
      const experiment = (await client.createExperiment({ experiment: { displayName: `churn-${suffix}`, owner: "ds-team" } }, as("ana"))).experiment!;
      const trials = [
        { depth: 4n, lr: 0.1, accuracy: 0.89, auc: 0.91 },
        { depth: 6n, lr: 0.05, accuracy: 0.95, auc: 0.97 },
        { depth: 8n, lr: 0.05, accuracy: 0.93, auc: 0.96 },
      ];
      const dataset = { name: "churn-events", uri: "s3://acme-data/churn/2025-q4/", digest: "sha256:9f86d08", source: "s3", context: "training" };
      const runs: string[] = [];
      for (const [i, t] of trials.entries()) {
        const run = (
          await client.createExperimentRun(
            {
              parent: experiment.name,
              experimentRun: {
                displayName: `xgb-${i + 1}`,
                author: "ana@acme.com",
                params: { max_depth: int(t.depth), learning_rate: dbl(t.lr) },
                datasets: [dataset],
              },
            },
            as("ana"),
          )
        ).experimentRun!;
        for (let epoch = 1; epoch <= 3; epoch++) {
          await client.logExperimentRunMetrics(
            { name: run.name, metrics: [{ key: "loss", value: 1 / (epoch + i), step: BigInt(epoch) }] },
            as("ana"),
          );
        }
        await client.logExperimentRunMetrics(
          {
            name: run.name,
            metrics: [
              { key: "accuracy", value: t.accuracy, step: 3n },
              { key: "auc", value: t.auc, step: 3n },
            ],
          },
          as("ana"),
        );
        await client.updateExperimentRun(
          { experimentRun: { name: run.name, status: ExperimentRunStatus.FINISHED }, updateMask: { paths: ["status"] } },
          as("ana"),
        );
        runs.push(run.name);
      }

      // 2. She registers a version per run, with lineage; v1 went to production last quarter.
      const versions: string[] = [];
      for (const [i, t] of trials.entries()) {
        const res = await client.registerModel(
          {
            requestId: `churn-${suffix}-v${i + 1}`,
            registeredModel: { displayName: modelName, owner: "ds-team" },
            modelVersion: {
              version: `v${i + 1}`,
              author: "ana@acme.com",
              customProperties: { accuracy: dbl(t.accuracy), auc: dbl(t.auc), max_depth: int(t.depth) },
              source: { experimentRun: runs[i]!, pipelineRunId: `kfp-${suffix}-${i + 1}`, codeCommit: "3f2a9c1", datasets: [dataset] },
            },
            modelArtifacts: [{ uri: `s3://acme-models/churn/v${i + 1}/model.bst`, modelFormatName: "xgboost", modelFormatVersion: "2.0" }],
            reason: "nightly training",
          },
          as("ana"),
        );
        versions.push(res.modelVersion!.name);
      }
      const model = versions[0]!.split("/versions/")[0]!;
      await client.setAlias({ name: `${model}/aliases/production`, modelVersion: versions[0]!, reason: "Q3 release" }, as("bob"));

      // 3. Compare the three versions; the best accuracy wins.
      const compared = await client.compareModelVersions({ names: versions, keys: ["accuracy", "auc"] });
      const accuracy = compared.rows.find((r) => r.key === "accuracy")!;
      const best = accuracy.bestNames[0]!;
      expect(best).toBe(versions[1]);
      const ranked = await client.listModelVersions({ parent: model, orderBy: "custom_properties.accuracy desc", pageSize: 1 });
      expect(ranked.modelVersions[0]?.name).toBe(best);

      // 4. Promote: @staging by Ana, then Bob (MLOps) moves @production from v1 to what @staging holds.
      await client.setAlias(
        { name: `${model}/aliases/staging`, modelVersion: best, expectedModelVersion: "", reason: "best accuracy 0.95" },
        as("ana"),
      );
      const promoted = await client.setAlias(
        {
          name: `${model}/aliases/production`,
          modelVersion: `${model}/versions/@staging`,
          expectedModelVersion: versions[0]!,
          reason: "CAB-1234 approved",
        },
        as("bob"),
      );
      expect(promoted.previousModelVersion).toBe(versions[0]);

      // 5. Deploy @production and let the controller report.
      const env = (await client.createServingEnvironment({ servingEnvironment: { displayName: `prod-eu-${suffix}` } }, as("bob")))
        .servingEnvironment!;
      const isvc = (
        await client.createInferenceService(
          {
            parent: env.name,
            inferenceService: { displayName: "churn-scorer", registeredModel: model, alias: "production", runtime: "kserve-xgbserver" },
          },
          as("bob"),
        )
      ).inferenceService!;
      expect(isvc).toMatchObject({ targetModelVersion: best, desiredState: DesiredState.DEPLOYED });
      const uri = await client.resolveModelUri({ uri: `model-registry://${modelName}@production` });
      expect(uri.artifactUri).toBe("s3://acme-models/churn/v2/model.bst");
      await client.reportDeploymentStatus(
        {
          name: isvc.name,
          status: { servingModelVersion: best, ready: true, url: "https://churn.prod-eu.acme.com", observedRevision: isvc.specRevision },
        },
        as("kserve-controller"),
      );
      const where = await client.listInferenceServices({ parent: "servingEnvironments/-", modelVersion: `model-registry://${modelName}/v2` });
      expect(where.inferenceServices.map((s) => s.name)).toEqual([isvc.name]);

      // 6. Latency regression: Carol (on-call) rolls back to the previous holder in one call.
      expect((await failure(client.deleteModelVersion({ name: best }))).reason).toBe("VERSION_IN_USE");
      const rolledBack = await client.setAlias(
        {
          name: `${model}/aliases/production`,
          modelVersion: promoted.previousModelVersion,
          expectedModelVersion: best,
          reason: "INC-77 p99 latency",
        },
        as("carol"),
      );
      expect(rolledBack.alias?.modelVersion).toBe(versions[0]);
      expect((await client.getInferenceService({ name: isvc.name })).inferenceService?.targetModelVersion).toBe(versions[0]);
      await client.reportDeploymentStatus(
        {
          name: isvc.name,
          status: { servingModelVersion: versions[0]!, ready: true, url: "https://churn.prod-eu.acme.com", observedRevision: isvc.specRevision },
        },
        as("kserve-controller"),
      );

      // 7. The auditor: who moved @production, when and why; what produced the version; the full log.
      const history = await client.listAliasHistory({ parent: model, filter: 'alias = "production"' });
      expect(history.entries.map((e) => [e.actor, e.version, e.reason])).toEqual([
        ["bob", "v1", "Q3 release"],
        ["bob", "v2", "CAB-1234 approved"],
        ["carol", "v1", "INC-77 p99 latency"],
      ]);
      const lineage = await client.getLineage({ registeredModelDisplayName: modelName, version: "v2" });
      expect(lineage.experimentRun?.name).toBe(runs[1]);
      expect(lineage.experimentRun?.params.max_depth?.kind.value).toBe(6n);
      expect(lineage.experimentRun?.metrics).toMatchObject({ accuracy: 0.95, auc: 0.97, loss: 1 / 4 });
      expect(lineage.datasets.map((d) => d.digest)).toEqual(["sha256:9f86d08"]);
      expect(lineage.modelVersion?.source?.pipelineRunId).toBe(`kfp-${suffix}-2`);

      const log = await client.listEvents({ registeredModel: model, pageSize: 1000 });
      const who = new Set(log.events.map((e) => e.actor));
      expect([...who].sort()).toEqual(["ana", "bob", "carol", "kserve-controller"]);
      const aliasMoves = log.events.filter((e) => e.type === EventType.ALIAS_SET && e.resourceName.endsWith("/aliases/production"));
      expect(aliasMoves.map((e) => e.actor)).toEqual(["bob", "bob", "carol"]);
      const reports = log.events.filter((e) => e.actor === "kserve-controller");
      expect(reports.map((e) => e.resource?.resource.case)).toEqual(["inferenceService", "inferenceService"]);
    });
  });
}
