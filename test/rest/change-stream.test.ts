import { expect, it } from "vitest";
import { ArtifactKind, ExecutionState } from "../../gen/modelregistry/v1/artifacts_pb.js";
import { type Event, EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { ArtifactState } from "../../gen/modelregistry/v1/resources_pb.js";
import { failure } from "../support/errors.js";
import { mv } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

/**
 * The Kubeflow gateway's own records (doc/dataset/metric/parameter artifacts, ServeModels) have
 * no gRPC methods, but every change of one is an event: Watch and ListEvents see them created,
 * changed and deleted with their parents, as resource types Artifact and ServeModel.
 */
describeKubeflow(
  "Kubeflow records in the change stream",
  (suite) => {
    const { api, unique } = suite;
    const client = () => suite.server.client("grpc");
    const summary = (events: Event[]) => events.map((e) => `${e.resourceType}:${EventType[e.type]}:${e.resourceName}`);

    async function modelWithVersion() {
      const model = await api.ok("createRegisteredModel", { body: { name: unique("records") } }, 201);
      const version = await api.ok("createModelVersion", { body: { name: "v1", registeredModelId: model.id } }, 201);
      return { model, version, versionName: `registeredModels/${model.id}/versions/${version.id}` };
    }

    it("records a version's doc artifact created and changed over REST as Artifact events with snapshots", async () => {
      const { model, version, versionName } = await modelWithVersion();
      const externalId = unique("card");
      const doc = await api.ok(
        "upsertModelVersionArtifact",
        {
          path: { modelversionId: version.id },
          body: { artifactType: "doc-artifact", name: "card", uri: "s3://b/card.md", externalId, customProperties: { lang: mv.string("en") } },
        },
        201,
      );
      await api.ok("updateArtifact", { path: { id: doc.id }, body: { artifactType: "doc-artifact", state: "LIVE" } });

      const events = (await client().listEvents({ registeredModel: `registeredModels/${model.id}`, resourceTypes: ["Artifact"] })).events;
      const name = `${versionName}/artifacts/${doc.id}`;
      expect(summary(events)).toEqual([`Artifact:CREATED:${name}`, `Artifact:STATE_CHANGED:${name}`]);
      const [created, changed] = events;
      expect(created!.actor).toBe("kubeflow-client");
      const snapshot = created!.resource?.resource;
      expect(snapshot?.case).toBe("artifact");
      expect(snapshot?.case === "artifact" && snapshot.value).toMatchObject({
        name,
        id: doc.id,
        kind: ArtifactKind.DOC,
        displayName: "card",
        uri: "s3://b/card.md",
        externalId,
        state: ArtifactState.UNSPECIFIED,
      });
      expect(snapshot?.case === "artifact" && snapshot.value.customProperties.lang?.kind).toEqual({ case: "stringValue", value: "en" });
      const after = changed!.resource?.resource;
      const before = changed!.previous?.resource;
      expect(after?.case === "artifact" && after.value.state).toBe(ArtifactState.LIVE);
      expect(before?.case === "artifact" && before.value.state).toBe(ArtifactState.UNSPECIFIED);
      expect(Number(changed!.revision)).toBe(Number(created!.revision) + 1);
    });

    it("names an artifact of nothing artifacts/{id} and one of a run under the run", async () => {
      const loose = await api.ok("createArtifact", { body: { artifactType: "dataset-artifact", name: unique("ds"), uri: "s3://d/1" } }, 201);
      const exp = await api.ok("createExperiment", { body: { name: unique("exp") } }, 201);
      const run = await api.ok("createExperimentRun", { body: { experimentId: exp.id, name: "run-1" } }, 201);
      const param = await api.ok(
        "upsertExperimentRunArtifact",
        { path: { experimentrunId: run.id }, body: { artifactType: "parameter", name: "lr", value: "0.1", parameterType: "number" } },
        201,
      );
      const events = (await client().listEvents({ resourceTypes: ["Artifact"], pageSize: 1000 })).events;
      const names = events.map((e) => e.resourceName);
      expect(names).toContain(`artifacts/${loose.id}`);
      expect(names).toContain(`experiments/${exp.id}/runs/${run.id}/artifacts/${param.id}`);
      const paramEvent = events.find((e) => e.resourceName.endsWith(`/artifacts/${param.id}`))!;
      const snapshot = paramEvent.resource?.resource;
      expect(snapshot?.case === "artifact" && snapshot.value.kind).toBe(ArtifactKind.PARAMETER);
      expect(snapshot?.case === "artifact" && snapshot.value.fields).toMatchObject({ value: "0.1", parameterType: "number" });
    });

    it("records a ServeModel and the service status it reports as two events of one transaction", async () => {
      const { model, version, versionName } = await modelWithVersion();
      const env = await api.ok("createServingEnvironment", { body: { name: unique("prod") } }, 201);
      const svc = await api.ok("createInferenceService", { body: { name: "svc", servingEnvironmentId: env.id, registeredModelId: model.id } });
      const before = Number((await client().listEvents({ pageSize: 1 })).revision);
      const serve = await api.ok(
        "createInferenceServiceServe",
        { path: { inferenceserviceId: svc.id }, body: { modelVersionId: version.id, lastKnownState: "RUNNING", name: "serve-1" } },
        201,
      );
      const events = (await client().listEvents({ registeredModel: `registeredModels/${model.id}`, pageSize: 1000 })).events.filter(
        (e) => Number(e.revision) > before,
      );
      const serviceName = `servingEnvironments/${env.id}/inferenceServices/${svc.id}`;
      expect(summary(events)).toEqual([`ServeModel:CREATED:${serviceName}/serves/${serve.id}`, `InferenceService:UPDATED:${serviceName}`]);
      const snapshot = events[0]!.resource?.resource;
      expect(snapshot?.case === "serveModel" && snapshot.value).toMatchObject({
        inferenceService: serviceName,
        modelVersion: versionName,
        lastKnownState: ExecutionState.RUNNING,
        displayName: "serve-1",
      });
    });

    it("deletes a version's records with the version, each with a DELETED event before the version's", async () => {
      const { model, version, versionName } = await modelWithVersion();
      const doc = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: { artifactType: "doc-artifact", name: "card", uri: "s3://b/c" } },
        201,
      );
      const metric = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: { artifactType: "metric", name: "acc", value: 0.9 } },
        201,
      );
      await client().deleteModelVersion({ name: versionName, force: true });

      const events = (await client().listEvents({ registeredModel: `registeredModels/${model.id}`, types: [EventType.DELETED] })).events;
      expect(summary(events)).toEqual([
        `Artifact:DELETED:${versionName}/artifacts/${doc.id}`,
        `Artifact:DELETED:${versionName}/artifacts/${metric.id}`,
        `ModelVersion:DELETED:${versionName}`,
      ]);
      await api.fails("getArtifact", { path: { id: doc.id } }, 404);
      await api.fails("getArtifact", { path: { id: metric.id } }, 404);
    });

    it("deletes a run's artifacts with its experiment, and a service's ServeModels with the service", async () => {
      const exp = await api.ok("createExperiment", { body: { name: unique("exp") } }, 201);
      const run = await api.ok("createExperimentRun", { body: { experimentId: exp.id, name: "run-1" } }, 201);
      const metric = await api.ok(
        "upsertExperimentRunArtifact",
        { path: { experimentrunId: run.id }, body: { artifactType: "metric", name: "loss", value: 0.3, step: 1 } },
        201,
      );
      await client().deleteExperiment({ name: `experiments/${exp.id}`, force: true });
      await api.fails("getArtifact", { path: { id: metric.id } }, 404);
      const runEvents = (await client().listEvents({ resourceName: `experiments/${exp.id}/runs/${run.id}/artifacts/${metric.id}` })).events;
      expect(runEvents.map((e) => EventType[e.type])).toEqual(["CREATED", "DELETED"]);

      const { model, version } = await modelWithVersion();
      const env = await api.ok("createServingEnvironment", { body: { name: unique("env") } }, 201);
      const svc = await api.ok("createInferenceService", { body: { name: "svc", servingEnvironmentId: env.id, registeredModelId: model.id } });
      const serve = await api.ok("createInferenceServiceServe", { path: { inferenceserviceId: svc.id }, body: { modelVersionId: version.id } }, 201);
      const serviceName = `servingEnvironments/${env.id}/inferenceServices/${svc.id}`;
      await client().deleteInferenceService({ name: serviceName, force: true });
      const serveEvents = (await client().listEvents({ resourceName: `${serviceName}/serves/${serve.id}` })).events;
      expect(serveEvents.map((e) => EventType[e.type])).toEqual(["CREATED", "DELETED"]);
      await api.fails("getInferenceServiceServes", { path: { inferenceserviceId: svc.id } }, 404);
    });

    it("lists a model's artifacts with send_initial, filtered by kind, then streams new ones", async () => {
      const { model, version, versionName } = await modelWithVersion();
      const dataset = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: { artifactType: "dataset-artifact", name: "train", uri: "s3://d/t" } },
        201,
      );
      await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: { artifactType: "doc-artifact", name: "card", uri: "s3://b/c" } },
        201,
      );
      const abort = new AbortController();
      const stream = client().watch(
        {
          resourceTypes: ["Artifact"],
          registeredModel: `registeredModels/${model.id}`,
          sendInitial: true,
          filter: `artifact_type = "dataset-artifact"`,
        },
        { signal: abort.signal },
      );
      const it = stream[Symbol.asyncIterator]();
      try {
        const first = (await it.next()).value!;
        expect(first.kind.case === "initial" && first.kind.value.resource.case === "artifact" && first.kind.value.resource.value.name).toBe(
          `${versionName}/artifacts/${dataset.id}`,
        );
        expect((await it.next()).value!.kind.case).toBe("synced");
        const eval2 = await api.ok(
          "upsertModelVersionArtifact",
          { path: { modelversionId: version.id }, body: { artifactType: "dataset-artifact", name: "eval", uri: "s3://d/e" } },
          201,
        );
        let next = (await it.next()).value!;
        while (next.kind.case === "progress") next = (await it.next()).value!;
        expect(next.kind.case === "event" && next.kind.value.resourceName).toBe(`${versionName}/artifacts/${eval2.id}`);
      } finally {
        abort.abort();
        await it.return?.();
      }
    });

    it("refuses ModelVersion watch filters on attributes other resources hold", async () => {
      for (const filter of [`alias = "production"`, `model = "fraud"`, `experiment_run_id = 1`]) {
        const stream = client().watch({ resourceTypes: ["ModelVersion"], filter });
        const { code, fields } = await failure(
          (async () => {
            for await (const _ of stream) break;
          })(),
        );
        expect([filter, code, fields]).toEqual([filter, "InvalidArgument", ["filter"]]);
      }
    });
  },
  { headers: { "x-actor": "kubeflow-client" } },
);
