import { NotFoundError } from "../../registry/errors.js";
import type { ModelInput, VersionInput } from "../../registry/inputs.js";
import { lookupModelById } from "../../registry/by-id.js";
import { createWithExtras, idOfExternalId, patchWithExtras } from "../../registry/kubeflow.js";
import { MODEL_LIST, VERSION_LIST } from "../../registry/list-specs.js";
import { modelName } from "../../registry/names.js";
import type { RegisteredModel, State } from "../../registry/types.js";
import { required, str } from "../shared/body.js";
import {
  enumIn,
  extrasPatchOf,
  idIn,
  maskOf,
  MODEL_EXTRA_FIELDS,
  modelOut,
  type Parsed,
  propertiesIn,
  updateOf,
  versionOut,
} from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { visibleOnly } from "../shared/lookup-visible.js";
import { checkParams, LIST_PARAMS, listRequest } from "../shared/query.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { MODEL_CREATE, MODEL_UPDATE, VERSION_FULL } from "../shared/shapes.js";
import { created, findParams, nameAndExternalIdFilter, narrow, ok, okPageWithExtras, okWithExtras, visible } from "../shared/support.js";

/** Registered models, and the versions of one model. */

const STATES: readonly State[] = ["LIVE", "ARCHIVED"];

/** A model body (RegisteredModelCreate's name is required: see `required`). */
function parseModel(body: Record<string, unknown>): Parsed<ModelInput> {
  return {
    input: {
      displayName: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      owner: str(body, "owner") ?? "",
      state: body.state === undefined ? undefined : enumIn(body.state, "state", STATES),
      labels: {},
      customProperties: propertiesIn(body.customProperties),
      readme: str(body, "readme") ?? "",
    },
    mask: maskOf(body, { description: "description", owner: "owner", state: "state", readme: "readme", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, MODEL_EXTRA_FIELDS),
  };
}

/** A version body (on create, name, the version string, is required: see `required`). */
export function parseVersion(body: Record<string, unknown>): Parsed<VersionInput> {
  return {
    input: {
      version: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      author: str(body, "author") ?? "",
      state: body.state === undefined ? undefined : enumIn(body.state, "state", STATES),
      customProperties: propertiesIn(body.customProperties),
    },
    mask: maskOf(body, { description: "description", author: "author", state: "state", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, []),
  };
}

/** Creates a version of a model with its extras, in one transaction. */
export async function createVersion(call: RestCall, modelId: number, parsed: Parsed<VersionInput>) {
  await call.authorize("CreateModelVersion", { parent: modelName(modelId) });
  const { resource: version, extras } = await createWithExtras(call.registry, "ModelVersion", parsed.extras, (scoped) =>
    scoped.createVersion(modelId, parsed.input, call.ctx),
  );
  return created(versionOut(version, extras));
}

/** Lists versions of one model or of every model (with name/externalId narrowing the list). */
export async function listVersions(call: RestCall, modelId: number | undefined, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, ...extraParams]);
  const permit = await call.authorize("ListModelVersions", { parent: modelId === undefined ? "registeredModels/-" : modelName(modelId) });
  const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "ModelVersion");
  const { request, pageSize } = listRequest(call.query, { spec: VERSION_LIST, extraFilter });
  const page = await call.registry.listVersions(modelId, request);
  const items = await narrow(call.registry, permit, page.items, (v) => ({ displayName: v.modelDisplayName }));
  return okPageWithExtras(call.registry, { ...page, items }, pageSize, versionOut);
}

export const MODEL_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/registered_model",
    async handle(call) {
      const find = findParams(call.query, false);
      let model: RegisteredModel | undefined;
      if (find.externalId !== undefined) {
        const id = await idOfExternalId(call.registry, "RegisteredModel", find.externalId);
        const stored = id === undefined ? undefined : await lookupModelById(call.registry, id);
        // A model outside the caller's models is not found, like one that does not exist (lookup-visible.ts).
        const [readable] = stored ? await visibleOnly(call, [stored], (m) => m) : [];
        if (id === undefined || !readable) throw new NotFoundError(`registered model with externalId "${find.externalId}"`);
        await call.authorize("GetRegisteredModel", { name: modelName(id) });
        model = await call.registry.getModel({ id });
        if (find.name !== undefined && model.displayName !== find.name)
          throw new NotFoundError(`registered model "${find.name}" with externalId "${find.externalId}"`);
      } else {
        await call.authorize("GetRegisteredModel", { displayName: find.name });
        model = await call.registry.getModel({ displayName: find.name! });
      }
      return okWithExtras(call.registry, model, modelOut);
    },
  },
  {
    method: "GET",
    path: "/registered_models",
    async handle(call) {
      checkParams(call.query, LIST_PARAMS);
      const permit = await call.authorize("ListRegisteredModels", {});
      const { request, pageSize } = listRequest(call.query, { spec: MODEL_LIST });
      const page = await call.registry.listModels(request);
      const items = page.items.filter((m) => visible(permit, m.displayName));
      return okPageWithExtras(call.registry, { ...page, items }, pageSize, modelOut);
    },
  },
  {
    method: "POST",
    path: "/registered_models",
    async handle(call) {
      checkParams(call.query, []);
      const parsed = parseModel(required(await call.body(MODEL_CREATE, "RegisteredModelCreate"), ["name"]));
      await call.authorize("CreateRegisteredModel", { registeredModel: { displayName: parsed.input.displayName } });
      const { resource: model, extras } = await createWithExtras(call.registry, "RegisteredModel", parsed.extras, (scoped) =>
        scoped.createModel(parsed.input, call.ctx),
      );
      return created(modelOut(model, extras));
    },
  },
  {
    method: "GET",
    path: "/registered_models/{registeredmodelId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("registeredmodelId");
      await call.authorize("GetRegisteredModel", { name: modelName(id) });
      const model = await call.registry.getModel({ id });
      return okWithExtras(call.registry, model, modelOut);
    },
  },
  {
    method: "PATCH",
    path: "/registered_models/{registeredmodelId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("registeredmodelId");
      const parsed = parseModel(await call.body(MODEL_UPDATE, "RegisteredModelUpdate"));
      await call.authorize("UpdateRegisteredModel", { registeredModel: { name: modelName(id) } });
      const { resource: model, extras } = await patchWithExtras(
        call.registry,
        "RegisteredModel",
        parsed,
        (scoped) => scoped.updateModel(id, updateOf(parsed), call.ctx),
        (scoped) => scoped.getModel({ id }),
      );
      return ok(modelOut(model, extras));
    },
  },
  {
    method: "GET",
    path: "/registered_models/{registeredmodelId}/versions",
    handle: (call) => listVersions(call, call.id("registeredmodelId"), ["name", "externalId"]),
  },
  {
    method: "POST",
    path: "/registered_models/{registeredmodelId}/versions",
    async handle(call) {
      checkParams(call.query, []);
      const modelId = call.id("registeredmodelId");
      // The path names the model: of ModelVersion's required fields only name must be in the body.
      const body = required(await call.body(VERSION_FULL, "ModelVersion"), ["name"]);
      if (body.registeredModelId !== undefined && idIn(body.registeredModelId, "registeredModelId") !== modelId) {
        throw badField("registeredModelId", "must be the registered model of the path (or be left out)");
      }
      return createVersion(call, modelId, parseVersion(body));
    },
  },
];
