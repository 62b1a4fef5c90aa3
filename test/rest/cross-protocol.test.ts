import { expect, it } from "vitest";
import { EventType, type WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { mv } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

describeKubeflow(
  "Kubeflow REST and gRPC share one store",
  (suite) => {
    const { api, unique } = suite;
    const client = () => suite.server.client("grpc");

    it("shows a model, version and artifact created over REST to gRPC, with typed properties and the actor", async () => {
      const name = unique("rest-made");
      const model = await api.ok("createRegisteredModel", { body: { name, owner: "risk", customProperties: { team: mv.string("risk") } } }, 201);
      const version = await api.ok(
        "createModelVersion",
        {
          body: {
            name: "v1",
            registeredModelId: model.id,
            author: "alice",
            customProperties: { accuracy: mv.double(0.97), epochs: mv.int(12), ok: mv.bool(true) },
          },
        },
        201,
      );
      await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: { name: "model", uri: "s3://b/model.onnx", modelFormatName: "onnx" } },
        201,
      );

      const got = (await client().getModelVersion({ registeredModelDisplayName: name, version: "v1" })).modelVersion!;
      expect(got.name).toBe(`registeredModels/${model.id}/versions/${version.id}`);
      expect(got.author).toBe("alice");
      expect(got.customProperties.accuracy?.kind).toEqual({ case: "doubleValue", value: 0.97 });
      expect(got.customProperties.epochs?.kind).toEqual({ case: "intValue", value: 12n });
      expect(got.customProperties.ok?.kind).toEqual({ case: "boolValue", value: true });
      const artifacts = (await client().listModelArtifacts({ parent: got.name })).modelArtifacts;
      expect(artifacts.map((a) => [a.uri, a.modelFormatName])).toEqual([["s3://b/model.onnx", "onnx"]]);
      const events = await client().listEvents({ registeredModel: `registeredModels/${model.id}` });
      expect(events.events.map((e) => `${e.resourceType}:${e.actor}`)).toEqual([
        "RegisteredModel:kubeflow-client",
        "ModelVersion:kubeflow-client",
        "ModelArtifact:kubeflow-client",
      ]);
    });

    it("serves a model registered over gRPC to REST the way KServe's model-registry:// initializer reads it", async () => {
      const name = unique("grpc-made");
      await client().registerModel(seedRegisterRequest({ name, version: "v2" }));
      const model = await api.ok("findRegisteredModel", { query: { name } });
      const versions = await api.ok("getRegisteredModelVersions", { path: { registeredmodelId: model.id }, query: { name: "v2" } });
      expect(versions.items).toHaveLength(1);
      expect(versions.items[0].customProperties.accuracy).toEqual(mv.double(0.967));
      const artifacts = await api.ok("getModelVersionArtifacts", { path: { modelversionId: versions.items[0].id } });
      expect(artifacts.items[0]).toMatchObject({
        artifactType: "model-artifact",
        uri: `s3://ml-models/${name}/v2/model.onnx`,
        modelFormatName: "onnx",
      });
    });

    it("lets a REST PATCH and a gRPC update see each other's changes", async () => {
      const name = unique("both");
      const created = await client().createRegisteredModel({ registeredModel: { displayName: name, description: "grpc", labels: { team: "risk" } } });
      const id = created.registeredModel!.name.split("/")[1]!;
      const patched = await api.ok("updateRegisteredModel", { path: { registeredmodelId: id }, body: { state: "ARCHIVED", description: "rest" } });
      expect(patched).toMatchObject({ name, state: "ARCHIVED", description: "rest" });
      const after = (await client().getRegisteredModel({ name: `registeredModels/${id}` })).registeredModel!;
      expect(after.state).toBe(State.ARCHIVED);
      expect(after.description).toBe("rest");
      expect(after.labels).toEqual({ team: "risk" });
    });

    it("delivers changes made over REST to a gRPC Watch", async () => {
      const abort = new AbortController();
      const stream = client().watch({ resourceTypes: ["RegisteredModel"] }, { signal: abort.signal });
      const iterator = stream[Symbol.asyncIterator]();
      expect((await iterator.next()).value?.kind.case).toBe("progress");
      const name = unique("watched");
      await api.ok("createRegisteredModel", { body: { name } }, 201);
      let event: WatchResponse | undefined;
      do event = (await iterator.next()).value;
      while (event?.kind.case === "progress");
      abort.abort();
      await iterator.return?.();
      expect(event?.kind.case).toBe("event");
      const value = event?.kind.case === "event" ? event.kind.value : undefined;
      expect(value?.actor).toBe("kubeflow-client");
      const snapshot = value?.resource?.resource;
      expect(snapshot?.case === "registeredModel" && snapshot.value.displayName).toBe(name);
    });

    it("records an UPDATED event for a PATCH that changes only Kubeflow-only fields, and none for an empty PATCH", async () => {
      const model = await api.ok("createRegisteredModel", { body: { name: unique("extras") } }, 201);
      await api.ok("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: { license: "mit", externalId: unique("ext") } });
      await api.ok("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: {} });
      const events = (await client().listEvents({ registeredModel: `registeredModels/${model.id}` })).events;
      expect(events.map((e) => [e.resourceType, EventType[e.type], e.actor])).toEqual([
        ["RegisteredModel", "CREATED", "kubeflow-client"],
        ["RegisteredModel", "UPDATED", "kubeflow-client"],
      ]);
      const [, updated] = events;
      const after = updated!.resource?.resource;
      const before = updated!.previous?.resource;
      expect(
        after?.case === "registeredModel" &&
          before?.case === "registeredModel" &&
          after.value.updateTime!.seconds >= before.value.updateTime!.seconds,
      ).toBe(true);
      expect(await api.ok("getRegisteredModel", { path: { registeredmodelId: model.id } })).toMatchObject({ license: "mit" });
    });

    it("frees an external id when its resource is deleted over gRPC", async () => {
      const externalId = unique("ext");
      const first = await api.ok("createRegisteredModel", { body: { name: unique("gone"), externalId } }, 201);
      await client().deleteRegisteredModel({ name: `registeredModels/${first.id}` });
      await api.fails("findRegisteredModel", { query: { externalId } }, 404);
      const second = await api.ok("createRegisteredModel", { body: { name: unique("new"), externalId } }, 201);
      expect(await api.ok("findRegisteredModel", { query: { externalId } })).toMatchObject({ id: second.id });
    });
  },
  { headers: { "x-actor": "kubeflow-client" } },
);
