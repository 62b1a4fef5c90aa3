import { create } from "@bufbuild/protobuf";
import { AliasTargetSchema, type RegisteredModel as PbRegisteredModel, RegisteredModelSchema } from "../../../gen/modelregistry/v1/resources_pb.js";
import type { ModelInput } from "../../registry/core/inputs.js";
import { modelName, versionName } from "../../registry/core/names.js";
import type { RegisteredModel } from "../../registry/core/types.js";
import type { ModelOverview } from "../../registry/models/catalog.js";
import { describedIn, stateIn, stateOut, withDescribed, withStored } from "../shared/convert.js";
import { versionOut } from "../versions/version-convert.js";

/** Proto <-> domain for registered models. */

export function modelIn(m: PbRegisteredModel | undefined, field = "registered_model"): ModelInput {
  const p = m ?? create(RegisteredModelSchema);
  return {
    owner: p.owner,
    state: stateIn(`${field}.state`, p.state),
    labels: { ...p.labels },
    ...describedIn(p, field),
    readme: p.readme,
  };
}

export function modelOut(m: RegisteredModel): PbRegisteredModel {
  const message = create(RegisteredModelSchema, { owner: m.owner, state: stateOut(m.state), labels: m.labels, readme: m.readme });
  return withDescribed(withStored(message, modelName(m.id), m), m);
}

/** A model in the FULL view: its own fields, its latest version and its aliases. */
export function modelOverviewOut(o: ModelOverview): PbRegisteredModel {
  const model = modelOut(o.model);
  if (o.latestVersion) model.latestVersion = versionOut(o.latestVersion);
  model.aliases = o.aliases.map((a) =>
    create(AliasTargetSchema, { alias: a.alias, modelVersion: versionName(a.modelId, a.versionId), version: a.version }),
  );
  return model;
}
