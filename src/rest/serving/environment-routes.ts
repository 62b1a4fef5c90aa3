import { ENVIRONMENT_LIST } from "../../registry/shared/list-specs.js";
import type { ServingEnvironment } from "../../registry/core/types.js";
import { extrasPatchOf, maskOf, namedIn, type Parsed, propertiesIn } from "../shared/convert.js";
import type { RestRoute } from "../shared/router.js";
import { ENVIRONMENT_CREATE, ENVIRONMENT_UPDATE } from "../shared/shapes.js";
import { topLevelRoutes } from "../shared/top-level-routes.js";
import { environmentOut } from "./serving-json.js";
import type { EnvironmentInput } from "../../registry/serving/environments.js";
import { createEnvironment, getEnvironment, listEnvironments, updateEnvironment } from "../../registry/serving/environments.js";

/** Serving environments (their inference services are service-routes.ts's). */

/** An environment body (ServingEnvironmentCreate's name is required). */
function parseEnvironment(body: Record<string, unknown>): Parsed<EnvironmentInput> {
  return {
    input: { ...namedIn(body), labels: {}, customProperties: propertiesIn(body.customProperties) },
    mask: maskOf(body, { description: "description", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, []),
  };
}

export const ENVIRONMENT_ROUTES: RestRoute[] = topLevelRoutes<ServingEnvironment, EnvironmentInput>({
  type: "ServingEnvironment",
  bodies: [ENVIRONMENT_CREATE, ENVIRONMENT_UPDATE],
  spec: ENVIRONMENT_LIST,
  parse: parseEnvironment,
  out: environmentOut,
  get: getEnvironment,
  list: listEnvironments,
  add: createEnvironment,
  change: updateEnvironment,
});
