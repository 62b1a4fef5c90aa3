import { deleteAlias, type Expected, getAlias, listAliases, listAliasHistory, setAlias } from "../../registry/aliases/aliases.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import { parseAliasName } from "../../registry/core/resource-names.js";
import { parseModelParent, parseVersionName, versionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { type Methods, pageFields } from "../shared/handler-kit.js";
import { aliasHistoryOut, aliasOut } from "./alias-convert.js";

/** expected_model_version: absent = unconditional, "" = must not exist, else a version name. */
function expectedIn(value: string | undefined): Expected {
  if (value === undefined) return undefined;
  return value === "" ? null : parseVersionName(value, "expected_model_version");
}

/** Aliases (set and delete by compare-and-set) and their history: parse, call the registry, convert. */
export function createAliasHandler(registry: Registry) {
  return {
    async setAlias(req, ctx) {
      const { modelId, alias } = parseAliasName(req.name);
      if (req.modelVersion === "") throw InvalidArgumentError.field("model_version", "is required");
      const result = await setAlias(
        registry,
        { modelId, alias, target: parseVersionName(req.modelVersion, "model_version"), expected: expectedIn(req.expectedModelVersion) },
        callContext(ctx, req.reason),
      );
      return {
        alias: aliasOut(result.alias),
        previousModelVersion: result.previousVersionId === null ? "" : versionName(modelId, result.previousVersionId),
      };
    },

    async deleteAlias(req, ctx) {
      const { modelId, alias } = parseAliasName(req.name);
      const deleted = await deleteAlias(
        registry,
        { modelId, alias, expected: expectedIn(req.expectedModelVersion), force: req.force },
        callContext(ctx, req.reason),
      );
      return { alias: aliasOut(deleted) };
    },

    async getAlias(req) {
      const { modelId, alias } = parseAliasName(req.name);
      return { alias: aliasOut(await getAlias(registry, modelId, alias)) };
    },

    async listAliases(req) {
      const page = await listAliases(registry, parseModelParent(req.parent), listRequest(req));
      return { aliases: page.items.map(aliasOut), ...pageFields(page) };
    },

    async listAliasHistory(req) {
      const page = await listAliasHistory(registry, parseModelParent(req.parent), listRequest(req));
      return { entries: page.items.map(aliasHistoryOut), ...pageFields(page) };
    },
  } satisfies Methods;
}
