import * as versionUseCases from "../../registry/versions/versions.js";
import type { VersionInput } from "../../registry/core/inputs.js";
import { VERSION_LIST } from "../../registry/shared/list-specs.js";
import { modelName } from "../../registry/core/names.js";
import type { ListRequest, State } from "../../registry/core/types.js";
import { str } from "../shared/body.js";
import { extrasPatchOf, maskOf, optionalEnumIn, type Parsed, propertiesIn } from "../shared/convert.js";
import { checkParams, LIST_PARAMS } from "../shared/query.js";
import { createdWithExtras, okList } from "../shared/route-kit.js";
import type { RestCall } from "../shared/router.js";
import { nameAndExternalIdFilter, narrow } from "../shared/support.js";
import { versionOut } from "./version-json.js";

/** What the version routes share with a model's (/registered_models/{id}/versions): the body, the create, the list. */

const STATES: readonly State[] = ["LIVE", "ARCHIVED"];

/** A version body (on create, name, the version string, is required: see `required`). */
export function parseVersion(body: Record<string, unknown>): Parsed<VersionInput> {
  return {
    input: {
      version: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      author: str(body, "author") ?? "",
      state: optionalEnumIn(body, "state", STATES),
      customProperties: propertiesIn(body.customProperties),
    },
    mask: maskOf(body, { description: "description", author: "author", state: "state", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, []),
  };
}

/** Creates a version of a model with its extras, in one transaction. */
export async function createVersion(call: RestCall, modelId: number, parsed: Parsed<VersionInput>) {
  await call.authorize("CreateModelVersion", { parent: modelName(modelId) });
  return createdWithExtras(
    call,
    "ModelVersion",
    parsed,
    (scoped) => versionUseCases.createVersion(scoped, modelId, parsed.input, call.ctx),
    versionOut,
  );
}

/** Lists versions of one model or of every model (with name/externalId narrowing the list). */
export async function listVersions(call: RestCall, modelId: number | undefined, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, ...extraParams]);
  const permit = await call.authorize("ListModelVersions", { parent: modelId === undefined ? "registeredModels/-" : modelName(modelId) });
  const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "ModelVersion");
  const read = async (request: ListRequest) => {
    const page = await versionUseCases.listVersions(call.registry, modelId, request);
    return { ...page, items: await narrow(call.registry, permit, page.items, (v) => ({ displayName: v.modelDisplayName })) };
  };
  return okList(call, { spec: VERSION_LIST, extraFilter }, read, versionOut);
}
