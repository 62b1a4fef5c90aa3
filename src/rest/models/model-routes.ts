import { lookupModelById } from "../../registry/shared/by-id.js";
import { NotFoundError } from "../../registry/core/errors.js";
import type { ModelInput, Update } from "../../registry/core/inputs.js";
import { idOfExternalId } from "../../registry/kubeflow/use-cases.js";
import { MODEL_LIST } from "../../registry/shared/list-specs.js";
import { modelName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { ListRequest, RegisteredModel, State } from "../../registry/core/types.js";
import { required, str } from "../shared/body.js";
import { extrasPatchOf, maskOf, ownedIn, type Parsed } from "../shared/convert.js";
import { visibleOnly } from "../shared/lookup-visible.js";
import { checkParams, LIST_PARAMS } from "../shared/query.js";
import { createdWithExtras, getByIdRoute, okList, okPatched, onId, route, sameParent } from "../shared/route-kit.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { MODEL_CREATE, MODEL_UPDATE, VERSION_FULL } from "../shared/shapes.js";
import { findParams, okWithExtras, visible } from "../shared/support.js";
import { createVersion, listVersions, parseVersion } from "../versions/version-writes.js";
import { MODEL_EXTRA_FIELDS, modelOut } from "./model-json.js";
import { createModel, getModel, listModels, updateModel } from "../../registry/models/models.js";

/** Registered models, and the versions of one model (their bodies and writes are versions/version-writes.ts's). */

const STATES: readonly State[] = ["LIVE", "ARCHIVED"];

/** A model body (RegisteredModelCreate's name is required: see `required`). */
function parseModel(body: Record<string, unknown>): Parsed<ModelInput> {
  return {
    input: { ...ownedIn(body), readme: str(body, "readme") ?? "" },
    mask: maskOf(body, { description: "description", owner: "owner", state: "state", readme: "readme", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, MODEL_EXTRA_FIELDS),
  };
}

async function readModel(call: RestCall, id: number): Promise<RegisteredModel> {
  await call.authorize("GetRegisteredModel", { name: modelName(id) });
  return getModel(call.registry, { id });
}

export const MODEL_ROUTES: RestRoute[] = [
  route("GET", "/registered_model", async (call) => {
    const find = findParams(call.query, false);
    let model: RegisteredModel | undefined;
    if (find.externalId !== undefined) {
      const id = await idOfExternalId(call.registry, "RegisteredModel", find.externalId);
      const stored = id === undefined ? undefined : await lookupModelById(call.registry, id);
      // A model outside the caller's models is not found, like one that does not exist (lookup-visible.ts).
      const [readable] = stored ? await visibleOnly(call, [stored], (m) => m) : [];
      if (id === undefined || !readable) throw new NotFoundError(`registered model with externalId "${find.externalId}"`);
      await call.authorize("GetRegisteredModel", { name: modelName(id) });
      model = await getModel(call.registry, { id });
      if (find.name !== undefined && model.displayName !== find.name)
        throw new NotFoundError(`registered model "${find.name}" with externalId "${find.externalId}"`);
    } else {
      await call.authorize("GetRegisteredModel", { displayName: find.name });
      model = await getModel(call.registry, { displayName: find.name! });
    }
    return okWithExtras(call.registry, model, modelOut);
  }),
  route("GET", "/registered_models", async (call) => {
    checkParams(call.query, LIST_PARAMS);
    const permit = await call.authorize("ListRegisteredModels", {});
    const read = async (request: ListRequest) => {
      const page = await listModels(call.registry, request);
      return { ...page, items: page.items.filter((m) => visible(permit, m.displayName)) };
    };
    return okList(call, { spec: MODEL_LIST }, read, modelOut);
  }),
  route("POST", "/registered_models", async (call) => {
    checkParams(call.query, []);
    const parsed = parseModel(required(await call.body(MODEL_CREATE, "RegisteredModelCreate"), ["name"]));
    await call.authorize("CreateRegisteredModel", { registeredModel: { displayName: parsed.input.displayName } });
    return createdWithExtras(call, "RegisteredModel", parsed, (scoped) => createModel(scoped, parsed.input, call.ctx), modelOut);
  }),
  getByIdRoute("/registered_models/{registeredmodelId}", readModel, modelOut),
  onId("PATCH", "/registered_models/{registeredmodelId}", async (call, id) => {
    const parsed = parseModel(await call.body(MODEL_UPDATE, "RegisteredModelUpdate"));
    await call.authorize("UpdateRegisteredModel", { registeredModel: { name: modelName(id) } });
    const update = (scoped: Registry, change: Update<ModelInput>) => updateModel(scoped, id, change, call.ctx);
    return okPatched(call, "RegisteredModel", parsed, update, (scoped) => getModel(scoped, { id }), modelOut);
  }),
  route("GET", "/registered_models/{registeredmodelId}/versions", (call) => listVersions(call, call.id("registeredmodelId"), ["name", "externalId"])),
  onId("POST", "/registered_models/{registeredmodelId}/versions", async (call, modelId) => {
    // The path names the model: of ModelVersion's required fields only name must be in the body.
    const body = required(await call.body(VERSION_FULL, "ModelVersion"), ["name"]);
    sameParent(body, "registeredModelId", modelId, "registered model");
    return createVersion(call, modelId, parseVersion(body));
  }),
];
