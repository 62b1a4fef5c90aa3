import { parseAliasName, parseModelUri } from "../registry/core/resource-names.js";
import { parseArtifactName, parseModelName, parseModelParent, parseVersionName } from "../registry/core/names.js";
import type { Permission } from "./permissions.js";

/** A registered model as a request names it. */
export type ModelRef = { id: number } | { displayName: string };

/**
 * What a call touches, for grants limited to some models:
 * - models: these models (computed lazily, and only for restricted callers: it may parse names
 *   and throw the same InvalidArgumentError the handler would);
 * - all-models: a list or stream across models: a restricted caller sees only its models;
 * - registry: resources outside models (experiments, serving): unrestricted grants only.
 */
export type CallScope = { kind: "models"; models: () => ModelRef[] } | { kind: "all-models" } | { kind: "registry" };

/** The permissions a call needs and what it touches. */
export interface CallRequirement {
  /** Each is needed (most calls need one; moving an alias with force needs two). */
  permissions: Permission[];
  scope: CallScope;
}

/** Deployment-wide settings that change what a call needs. */
export interface CallPolicy {
  /** Aliases only holders of aliases.set_protected may move or remove. */
  protectedAliases: ReadonlySet<string>;
}

/** A request as the rules read it: the protobuf-es message, or a plain object with the same (camelCase) fields. */
export type CallRequest = Record<string, unknown>;

type Rule = (req: CallRequest, policy: CallPolicy) => CallRequirement;

const str = (req: CallRequest, field: string): string => (typeof req[field] === "string" ? (req[field] as string) : "");
const sub = (req: CallRequest, field: string): CallRequest =>
  typeof req[field] === "object" && req[field] !== null ? (req[field] as CallRequest) : {};

const models = (f: (req: CallRequest) => ModelRef[]) => (req: CallRequest) => ({ kind: "models", models: () => f(req) }) as const;
const ALL = { kind: "all-models" } as const;
const REGISTRY = { kind: "registry" } as const;

const byId = (id: number): ModelRef => ({ id });
const byName = (displayName: string): ModelRef => ({ displayName });
const modelOfVersionName = (name: string, field: string): ModelRef => parseVersionName(name, field).model;
/** A model by resource name, or else by display name (Get by name or display_name). */
const nameOrDisplayName = (name: string, displayName: string, nameField = "name"): ModelRef[] =>
  name !== "" ? [byId(parseModelName(name, nameField))] : [byName(displayName)];

const withForce = (req: CallRequest, permissions: Permission[]): Permission[] =>
  req.force === true ? [...permissions, "resources.force"] : permissions;

const aliasPermission = (alias: string, policy: CallPolicy): Permission =>
  policy.protectedAliases.has(alias) ? "aliases.set_protected" : "aliases.set";

const read =
  (scope: (req: CallRequest) => CallScope): Rule =>
  (req) => ({ permissions: ["models.read"], scope: scope(req) });
const write =
  (scope: (req: CallRequest) => CallScope): Rule =>
  (req) => ({ permissions: ["models.write"], scope: scope(req) });
const remove =
  (scope: (req: CallRequest) => CallScope): Rule =>
  (req) => ({
    permissions: withForce(req, ["resources.delete"]),
    scope: scope(req),
  });
const registry = () => REGISTRY;
/**
 * A model artifact by name: the model it is under, or (for `artifacts/{id}`, an artifact linked
 * to no version) no model at all, which only unrestricted grants reach.
 */
const artifactScope = (name: string, field: string): CallScope => {
  const ref = parseArtifactName(name, field);
  return ref.kind === "linked" ? { kind: "models", models: () => [byId(ref.modelId)] } : REGISTRY;
};
/** A version parent, or the empty parent: the collection `artifacts/*` of artifacts linked to no version (registry scope). */
const versionParentOrNone = (req: CallRequest): CallScope =>
  str(req, "parent") === "" ? REGISTRY : { kind: "models", models: () => [modelOfVersionName(str(req, "parent"), "parent")] };

/** A list under a model parent, or across models with `registeredModels/-`. */
const modelParent = (req: CallRequest): CallScope => {
  const id = parseModelParent(str(req, "parent"));
  return id === undefined ? ALL : { kind: "models", models: () => [byId(id)] };
};

/** WebhookService: webhooks deliver from the whole registry, so only unrestricted grants manage them. */
const manageWebhooks: Rule = () => ({ permissions: ["webhooks.manage"], scope: REGISTRY });

/**
 * The one table from RPC (ModelRegistryService or WebhookService method name) to what it needs. A method missing
 * here is refused to everyone but admins (see requirementOf), so a new RPC fails closed until
 * it is given a rule.
 */
export const CALL_RULES: Readonly<Record<string, Rule>> = {
  RegisterModel: (req, policy) => {
    const alias = str(req, "alias");
    return {
      permissions: alias === "" ? ["models.write"] : ["models.write", aliasPermission(alias, policy)],
      scope: { kind: "models", models: () => [byName(str(sub(req, "registeredModel"), "displayName"))] },
    };
  },
  CreateRegisteredModel: write(models((r) => [byName(str(sub(r, "registeredModel"), "displayName"))])),
  GetRegisteredModel: read(models((r) => nameOrDisplayName(str(r, "name"), str(r, "displayName")))),
  ListRegisteredModels: read(() => ALL),
  UpdateRegisteredModel: write(
    models((r) => {
      const model = sub(r, "registeredModel");
      const refs = [byId(parseModelName(str(model, "name"), "registered_model.name"))];
      // A rename must land inside the caller's models too.
      if (str(model, "displayName") !== "") refs.push(byName(str(model, "displayName")));
      return refs;
    }),
  ),
  CreateModelVersion: write(models((r) => [byId(parseModelName(str(r, "parent"), "parent"))])),
  GetModelVersion: read(
    models((r) => (str(r, "name") !== "" ? [modelOfVersionName(str(r, "name"), "name")] : [byName(str(r, "registeredModelDisplayName"))])),
  ),
  ListModelVersions: read(modelParent),
  UpdateModelVersion: write(models((r) => [modelOfVersionName(str(sub(r, "modelVersion"), "name"), "model_version.name")])),
  CreateModelArtifact: write(versionParentOrNone),
  GetModelArtifact: read((r) => artifactScope(str(r, "name"), "name")),
  ListModelArtifacts: read(versionParentOrNone),
  UpdateModelArtifact: write((r) => artifactScope(str(sub(r, "modelArtifact"), "name"), "model_artifact.name")),
  CompareModelVersions: read(
    models((r) => (Array.isArray(r.names) ? r.names : []).map((n: unknown, i) => modelOfVersionName(String(n), `names[${i}]`))),
  ),

  SetAlias: (req, policy) => ({
    permissions: [aliasPermission(parseAliasName(str(req, "name")).alias, policy)],
    scope: { kind: "models", models: () => [byId(parseAliasName(str(req, "name")).modelId)] },
  }),
  DeleteAlias: (req, policy) => ({
    permissions: withForce(req, [aliasPermission(parseAliasName(str(req, "name")).alias, policy)]),
    scope: { kind: "models", models: () => [byId(parseAliasName(str(req, "name")).modelId)] },
  }),
  GetAlias: read(models((r) => [byId(parseAliasName(str(r, "name")).modelId)])),
  ListAliases: read(modelParent),
  ListAliasHistory: read(modelParent),
  DeleteRegisteredModel: remove(models((r) => [byId(parseModelName(str(r, "name")))])),
  DeleteModelVersion: remove(models((r) => [modelOfVersionName(str(r, "name"), "name")])),
  DeleteModelArtifact: remove((r) => artifactScope(str(r, "name"), "name")),
  ArchiveRegisteredModel: write(models((r) => [byId(parseModelName(str(r, "name")))])),
  ResolveModelUri: read(models((r) => [parseModelUri(str(r, "uri")).model])),
  GetLineage: read(
    models((r) => (str(r, "name") !== "" ? [modelOfVersionName(str(r, "name"), "name")] : [byName(str(r, "registeredModelDisplayName"))])),
  ),

  CreateExperiment: write(registry),
  GetExperiment: read(registry),
  ListExperiments: read(registry),
  UpdateExperiment: write(registry),
  DeleteExperiment: remove(registry),
  CreateExperimentRun: write(registry),
  GetExperimentRun: read(registry),
  ListExperimentRuns: read(registry),
  UpdateExperimentRun: write(registry),
  DeleteExperimentRun: remove(registry),
  LogExperimentRunMetrics: write(registry),
  ListExperimentRunMetricHistory: read(registry),

  CreateServingEnvironment: write(registry),
  GetServingEnvironment: read(registry),
  ListServingEnvironments: read(registry),
  UpdateServingEnvironment: write(registry),
  DeleteServingEnvironment: remove(registry),
  CreateInferenceService: write(registry),
  GetInferenceService: read(registry),
  ListInferenceServices: read(registry),
  UpdateInferenceService: write(registry),
  DeleteInferenceService: remove(registry),
  ReportDeploymentStatus: write(registry),

  CreateWebhook: manageWebhooks,
  GetWebhook: manageWebhooks,
  ListWebhooks: manageWebhooks,
  UpdateWebhook: manageWebhooks,
  DeleteWebhook: manageWebhooks,
  RotateWebhookSecret: manageWebhooks,
  TestWebhook: manageWebhooks,
  ListWebhookDeliveries: manageWebhooks,
  RedeliverWebhook: manageWebhooks,

  Watch: read((r) =>
    str(r, "registeredModel") !== ""
      ? { kind: "models", models: () => [byId(parseModelName(str(r, "registeredModel"), "registered_model"))] }
      : str(r, "registeredModelDisplayName") !== ""
        ? { kind: "models", models: () => [byName(str(r, "registeredModelDisplayName"))] }
        : ALL,
  ),
  // Any authenticated caller may ask who it is, whatever its roles (a monitor too).
  GetCaller: () => ({ permissions: [], scope: REGISTRY }),
  ListEvents: read((r) =>
    str(r, "registeredModel") !== "" ? { kind: "models", models: () => [byId(parseModelName(str(r, "registeredModel"), "registered_model"))] } : ALL,
  ),
};

/** Every permission: what an RPC without a rule needs (admins only; fail closed). */
const UNKNOWN: Permission[] = ["models.read", "models.write", "aliases.set", "aliases.set_protected", "resources.delete", "resources.force"];

/**
 * What a ModelRegistryService call needs. `method` is the RPC's name as in the proto
 * (`SetAlias`); `request` its message (fields in camelCase). May throw InvalidArgumentError when
 * the permission depends on a field that does not parse (the alias of SetAlias).
 */
export function requirementOf(method: string, request: CallRequest, policy: CallPolicy): CallRequirement {
  const rule = Object.hasOwn(CALL_RULES, method) ? CALL_RULES[method] : undefined;
  return rule ? rule(request, policy) : { permissions: UNKNOWN, scope: REGISTRY };
}
