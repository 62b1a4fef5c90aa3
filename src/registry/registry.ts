import type { RegistryStore, StoreReader, StoreWriter } from "../store/store.js";
import { currentCallBounds } from "./call-scope.js";
import { EtagMismatchError, FailedPreconditionError, NotFoundError } from "./errors.js";
import { assertModelArchivable, assertVersionArchivable } from "./usage.js";
import { applyMask, type MaskSpec } from "./field-mask.js";
import type { ArtifactInput, ModelInput, Update, VersionInput } from "./inputs.js";
import { ARTIFACT_LIST, MODEL_LIST, VERSION_LIST } from "./list-specs.js";
import { prepareList, toPage } from "./list-query.js";
import { type ArtifactRef, artifactNameOf, artifactRefName, modelName, type VersionRef, versionName } from "./names.js";
import { aliasName, environmentName, experimentName, inferenceServiceName, recordName, runName } from "./lifecycle-names.js";
import { interpretStoreError } from "./store-errors.js";
import { checkVersionSource } from "./version-source.js";
import type { CallContext, EventType, ListRequest, ModelArtifact, ModelVersion, Page, RegisteredModel, Resource } from "./types.js";
import { Violations } from "./validate.js";

const MODEL_MASK: MaskSpec<RegisteredModel> = {
  fields: {
    display_name: "displayName",
    description: "description",
    owner: "owner",
    state: "state",
    labels: "labels",
    custom_properties: "customProperties",
    readme: "readme",
  },
  maps: ["labels", "custom_properties"],
};
const VERSION_MASK: MaskSpec<ModelVersion> = {
  fields: {
    version: "version",
    description: "description",
    author: "author",
    state: "state",
    custom_properties: "customProperties",
    source: "source",
  },
  maps: ["custom_properties"],
};
const ARTIFACT_MASK: MaskSpec<ModelArtifact> = {
  fields: {
    display_name: "displayName",
    description: "description",
    uri: "uri",
    model_format_name: "modelFormatName",
    model_format_version: "modelFormatVersion",
    storage_key: "storageKey",
    storage_path: "storagePath",
    service_account_name: "serviceAccountName",
    state: "state",
    digest: "digest",
    custom_properties: "customProperties",
  },
  maps: ["custom_properties"],
};

/** An artifact with the fields of an update's mask taken from its input (the registry checks the result). */
export function applyArtifactMask(current: ModelArtifact, update: Pick<Update<ArtifactInput>, "input" | "mask">): ModelArtifact {
  return applyMask(current, update.input, update.mask, ARTIFACT_MASK);
}

/** The etag of a resource: the revision of its last change. */
export const etagOf = (resource: { revision: number }) => String(resource.revision);

export interface RegistryOptions {
  now?: () => Date;
}

/**
 * The registry's use cases: rules and transaction boundaries over a RegistryStore. Each
 * mutation is one store transaction that also records its events.
 */
export class Registry {
  readonly now: () => Date;

  constructor(
    readonly store: RegistryStore,
    options: RegistryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  // ---- registered models ----

  async createModel(input: ModelInput, ctx: CallContext): Promise<RegisteredModel> {
    const v = new Violations();
    v.model("registered_model", input);
    v.throwIfAny();
    return this.write((w) => this.insertModel(w, input, ctx));
  }

  /** Inserts a validated model with its CREATED event. */
  async insertModel(w: StoreWriter, input: ModelInput, ctx: CallContext): Promise<RegisteredModel> {
    const now = this.now();
    const model: RegisteredModel = {
      ...input,
      state: input.state ?? "LIVE",
      id: w.allocateId(),
      createTime: now,
      updateTime: now,
      revision: w.allocateRevision(),
    };
    await w.insertModel(model);
    this.record(w, "CREATED", { type: "RegisteredModel", value: model }, null, ctx);
    return model;
  }

  async getModel(ref: { id: number } | { displayName: string }): Promise<RegisteredModel> {
    return this.read((r) => this.findModel(r, ref));
  }

  async listModels(request: ListRequest): Promise<Page<RegisteredModel>> {
    const prepared = prepareList(request, MODEL_LIST, this.store.tokenKey());
    return this.read(async (r) => {
      const result = await r.listModels(prepared.query);
      return toPage(prepared, result, await r.revision(), (m) => m);
    });
  }

  async updateModel(id: number, update: Update<ModelInput>, ctx: CallContext): Promise<RegisteredModel> {
    return this.write(async (w) => {
      const current = await this.findModel(w, { id });
      this.checkEtag(modelName(id), current, update.etag);
      const next = applyMask(current, update.input, update.mask, MODEL_MASK);
      const v = new Violations();
      v.model("registered_model", { ...next, state: next.state });
      v.throwIfAny();
      if (current.state === "LIVE" && next.state === "ARCHIVED") await assertModelArchivable(w, current);
      const updated = { ...next, updateTime: this.now(), revision: w.allocateRevision() };
      await w.updateModel(updated);
      this.recordUpdate(w, { type: "RegisteredModel", value: updated }, { type: "RegisteredModel", value: current }, ctx);
      return updated;
    });
  }

  // ---- model versions ----

  async createVersion(modelId: number, input: VersionInput, ctx: CallContext): Promise<ModelVersion> {
    const v = new Violations();
    v.version("model_version", input);
    v.throwIfAny();
    return this.write(async (w) => this.insertVersion(w, await this.findModel(w, { id: modelId }), input, ctx));
  }

  /** Inserts a validated version into a LIVE model, with its CREATED event. */
  async insertVersion(w: StoreWriter, model: RegisteredModel, input: VersionInput, ctx: CallContext): Promise<ModelVersion> {
    if (model.state === "ARCHIVED") {
      throw new FailedPreconditionError(
        `${modelName(model.id)} (${model.displayName}) is archived; restore it before registering versions`,
        "MODEL_ARCHIVED",
      );
    }
    await checkVersionSource(w, input.source, "model_version.source");
    const now = this.now();
    const version: ModelVersion = {
      ...input,
      // Who registered it: the caller's identity unless the request names an author.
      author: input.author || (ctx.actor === "anonymous" ? "" : ctx.actor),
      aliases: [],
      state: input.state ?? "LIVE",
      id: w.allocateId(),
      modelId: model.id,
      modelDisplayName: model.displayName,
      createTime: now,
      updateTime: now,
      revision: w.allocateRevision(),
    };
    await w.insertVersion(version);
    this.record(w, "CREATED", { type: "ModelVersion", value: version }, null, ctx);
    return version;
  }

  async getVersion(ref: VersionRef): Promise<ModelVersion> {
    return this.read((r) => this.findVersion(r, ref));
  }

  async listVersions(modelId: number | undefined, request: ListRequest): Promise<Page<ModelVersion>> {
    const parent = modelId === undefined ? "registeredModels/-" : modelName(modelId);
    const prepared = prepareList(request, VERSION_LIST, this.store.tokenKey(), parent);
    return this.read(async (r) => {
      if (modelId !== undefined) await this.findModel(r, { id: modelId });
      const result = await r.listVersions({ modelId }, prepared.query);
      return toPage(prepared, result, await r.revision(), (v) => v);
    });
  }

  async updateVersion(ref: VersionRef, update: Update<VersionInput>, ctx: CallContext): Promise<ModelVersion> {
    return this.write(async (w) => {
      const current = await this.findVersion(w, ref);
      this.checkEtag(versionName(current.modelId, current.id), current, update.etag);
      const next = applyMask(current, update.input, update.mask, VERSION_MASK);
      const v = new Violations();
      v.version("model_version", next);
      v.throwIfAny();
      if (next.source !== current.source) await checkVersionSource(w, next.source, "model_version.source");
      if (current.state === "LIVE" && next.state === "ARCHIVED") await assertVersionArchivable(w, current);
      const updated = { ...next, updateTime: this.now(), revision: w.allocateRevision() };
      await w.updateVersion(updated);
      this.recordUpdate(w, { type: "ModelVersion", value: updated }, { type: "ModelVersion", value: current }, ctx);
      return updated;
    });
  }

  // ---- model artifacts ----

  async createArtifact(ref: VersionRef, input: ArtifactInput, ctx: CallContext): Promise<ModelArtifact> {
    const v = new Violations();
    v.artifact("model_artifact", input);
    v.throwIfAny();
    return this.write(async (w) => this.insertArtifact(w, await this.findVersion(w, ref), input, ctx));
  }

  /**
   * Inserts a validated artifact under a version, with its CREATED event. With no version the
   * artifact belongs to none (`artifacts/{id}`): only the Kubeflow gateway creates such
   * artifacts (kubeflow.ts), and links them to a version later.
   */
  async insertArtifact(w: StoreWriter, version: ModelVersion | null, input: ArtifactInput, ctx: CallContext): Promise<ModelArtifact> {
    const now = this.now();
    const artifact: ModelArtifact = {
      ...input,
      state: input.state ?? "UNKNOWN",
      id: w.allocateId(),
      versionId: version?.id ?? null,
      modelId: version?.modelId ?? null,
      createTime: now,
      updateTime: now,
      revision: w.allocateRevision(),
    };
    await w.insertArtifact(artifact);
    this.record(w, "CREATED", { type: "ModelArtifact", value: artifact }, null, ctx);
    return artifact;
  }

  async getArtifact(ref: ArtifactRef): Promise<ModelArtifact> {
    return this.read((r) => this.findArtifact(r, ref));
  }

  async listArtifacts(ref: VersionRef, request: ListRequest): Promise<Page<ModelArtifact>> {
    return this.read(async (r) => {
      const version = await this.findVersion(r, ref);
      const parent = versionName(version.modelId, version.id);
      const prepared = prepareList(request, ARTIFACT_LIST, this.store.tokenKey(), parent);
      const result = await r.listArtifacts({ versionId: version.id }, prepared.query);
      return toPage(prepared, result, await r.revision(), (a) => a);
    });
  }

  /** The artifacts linked to no version yet (the collection `artifacts/*`). */
  async listUnlinkedArtifacts(request: ListRequest): Promise<Page<ModelArtifact>> {
    const prepared = prepareList(request, ARTIFACT_LIST, this.store.tokenKey(), "artifacts");
    return this.read(async (r) => toPage(prepared, await r.listArtifacts({ unlinked: true }, prepared.query), await r.revision(), (a) => a));
  }

  /**
   * Updates the fields of the mask. The fields it changes are checked with the registry's
   * rules; stored values it leaves as they are are not checked again (an artifact created
   * through the Kubeflow gateway may hold a uri such as "s3", which the registry would not
   * take on input, and an update of its description must not fail on it).
   */
  async updateArtifact(ref: ArtifactRef, update: Update<ArtifactInput>, ctx: CallContext): Promise<ModelArtifact> {
    return this.write(async (w) => {
      const current = await this.findArtifact(w, ref);
      this.checkEtag(artifactNameOf(current), current, update.etag);
      const next = applyArtifactMask(current, update);
      const v = new Violations();
      v.artifact("model_artifact", next, next.uri === current.uri ? "skip" : "uri");
      v.throwIfAny();
      return this.writeArtifactChange(w, current, next, ctx);
    });
  }

  /**
   * Writes a changed artifact (its fields, and its version when a standalone artifact is linked)
   * with one event: UPDATED, or STATE_CHANGED when its state moved. The caller checked `next`.
   */
  async writeArtifactChange(w: StoreWriter, current: ModelArtifact, next: ModelArtifact, ctx: CallContext): Promise<ModelArtifact> {
    const updated = { ...next, updateTime: this.now(), revision: w.allocateRevision() };
    await w.updateArtifact(updated);
    this.recordUpdate(w, { type: "ModelArtifact", value: updated }, { type: "ModelArtifact", value: current }, ctx);
    return updated;
  }

  // ---- shared ----

  async findModel(r: StoreReader, ref: { id: number } | { displayName: string }): Promise<RegisteredModel> {
    const model = "id" in ref ? await r.getModel(ref.id) : await r.getModelByDisplayName(ref.displayName);
    if (!model) throw new NotFoundError("id" in ref ? modelName(ref.id) : `registered model "${ref.displayName}"`);
    return model;
  }

  async findVersion(r: StoreReader, ref: VersionRef): Promise<ModelVersion> {
    if (ref.selector.kind === "id" && "id" in ref.model) {
      // Fast path of a Get by name: a version of this model proves the model exists, so the
      // model is only read (for the right NotFound) when the version is not found.
      const version = await r.getVersion(ref.selector.id);
      if (version?.modelId === ref.model.id) return version;
    }
    const model = await this.findModel(r, ref.model);
    const sel = ref.selector;
    let version: ModelVersion | undefined;
    let label: string;
    switch (sel.kind) {
      case "id":
        version = await r.getVersion(sel.id);
        if (version?.modelId !== model.id) version = undefined;
        label = versionName(model.id, sel.id);
        break;
      case "version":
        version = await r.getVersionByString(model.id, sel.version);
        label = `version "${sel.version}" of ${modelName(model.id)}`;
        break;
      case "latest":
        version = await r.getLatestVersion(model.id);
        label = `a LIVE version of ${modelName(model.id)}`;
        break;
      case "alias": {
        const alias = await r.lifecycle.getAlias(model.id, sel.alias);
        version = alias ? await r.getVersion(alias.versionId) : undefined;
        label = `alias @${sel.alias} of ${modelName(model.id)}`;
        break;
      }
    }
    if (!version) throw new NotFoundError(label);
    return version;
  }

  /**
   * A model artifact by name. `artifacts/{id}` names an artifact while it is linked to no
   * version; once linked, that name answers NOT_FOUND with reason ARTIFACT_LINKED and the
   * artifact's new name (ErrorInfo metadata `linked_name`).
   */
  async findArtifact(r: StoreReader, ref: ArtifactRef): Promise<ModelArtifact> {
    const artifact = await r.getArtifact(ref.artifactId);
    const name = artifactRefName(ref);
    if (ref.kind === "unlinked") {
      if (!artifact) throw new NotFoundError(name);
      if (artifact.versionId !== null) {
        const linkedName = artifactNameOf(artifact);
        throw new NotFoundError(name, {
          message: `${name} not found: it was linked to a model version and is now ${linkedName}`,
          reason: "ARTIFACT_LINKED",
          metadata: { linked_name: linkedName },
        });
      }
      return artifact;
    }
    if (!artifact || artifact.versionId !== ref.versionId || artifact.modelId !== ref.modelId) throw new NotFoundError(name);
    return artifact;
  }

  /** Runs a read within the current call's bounds (call-scope.ts), interpreting store errors. */
  async read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T> {
    try {
      return await this.store.read(fn, currentCallBounds());
    } catch (error) {
      throw interpretStoreError(error);
    }
  }

  /** Runs a write transaction within the current call's bounds, interpreting store errors. */
  async write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T> {
    try {
      return await this.store.write(fn, currentCallBounds());
    } catch (error) {
      throw interpretStoreError(error);
    }
  }

  private checkEtag(name: string, current: { revision: number }, etag: string): void {
    if (etag !== "" && etag !== etagOf(current)) throw new EtagMismatchError(name, etagOf(current));
  }

  /** Records an event for a change whose revision was allocated last. */
  record(w: StoreWriter, type: EventType, resource: Resource, previous: Resource | null, ctx: CallContext): void {
    const value = resource.value;
    w.appendEvent({
      revision: value.revision,
      type,
      resourceName: resourceNameOf(resource),
      modelId: modelIdOf(resource),
      actor: ctx.actor,
      reason: ctx.reason ?? "",
      time: value.updateTime,
      resource,
      previous,
    });
  }

  private recordUpdate(w: StoreWriter, resource: Resource, previous: Resource, ctx: CallContext): void {
    const stateOf = (r: Resource) => ("state" in r.value ? r.value.state : undefined);
    const type = stateOf(resource) !== stateOf(previous) ? "STATE_CHANGED" : "UPDATED";
    this.record(w, type, resource, previous, ctx);
  }
}

/** The resource name of any resource. */
export function resourceNameOf(resource: Resource): string {
  switch (resource.type) {
    case "RegisteredModel":
      return modelName(resource.value.id);
    case "ModelVersion":
      return versionName(resource.value.modelId, resource.value.id);
    case "ModelArtifact":
      return artifactNameOf(resource.value);
    case "Alias":
      return aliasName(resource.value.modelId, resource.value.alias);
    case "Experiment":
      return experimentName(resource.value.id);
    case "ExperimentRun":
      return runName(resource.value.experimentId, resource.value.id);
    case "ServingEnvironment":
      return environmentName(resource.value.id);
    case "InferenceService":
      return inferenceServiceName(resource.value.environmentId, resource.value.id);
    case "Artifact":
    case "ServeModel":
      return recordName(resource.value);
  }
}

/** The registered model an event is about (indexed for per-model event queries), if any. */
export function modelIdOf(resource: Resource): number | null {
  switch (resource.type) {
    case "RegisteredModel":
      return resource.value.id;
    case "ModelVersion":
    case "ModelArtifact":
    case "Alias":
    case "InferenceService":
      return resource.value.modelId;
    case "Experiment":
    case "ExperimentRun":
    case "ServingEnvironment":
      return null;
    case "Artifact":
    case "ServeModel": {
      const owner = resource.value.owner;
      return owner && "modelId" in owner ? owner.modelId : null;
    }
  }
}
