import type { StoreWriter } from "../ports/store.js";
import { AbortedError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../core/errors.js";
import type { Alias, AliasHistoryEntry, CallContext, ListRequest, ModelVersion, Page, RegisteredModel } from "../core/types.js";
import { aliasName } from "../core/resource-names.js";
import { ALIAS_LIST, ALIAS_HISTORY_LIST } from "../shared/list-specs.js";
import { modelName, type VersionRef, versionName } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import { describeUsage } from "../shared/usage.js";
import { findModel, findVersion } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";
import { listOfModel } from "../shared/list-query.js";

/**
 * Aliases: named pointers from a model to a version, moved with compare-and-set and kept in a
 * history. Every move is one transaction: the alias row, a history row and an ALIAS_SET or
 * ALIAS_DELETED event carrying the alias (so a watcher learns "alias X of model M now points at
 * version V" from the event alone). Writers are serialised by the revision lock, so the
 * read-check-write below is race-free; the unique (model_id, alias) key backs it.
 */

/** The expected current version: absent = unconditional, null = "must not exist", else a version. */
export type Expected = VersionRef | null | undefined;

export interface SetAliasInput {
  modelId: number;
  alias: string;
  target: VersionRef;
  expected: Expected;
}

export interface SetAliasResult {
  alias: Alias;
  previousVersionId: number | null;
}

export async function setAlias(registry: Registry, input: SetAliasInput, ctx: CallContext): Promise<SetAliasResult> {
  return unitOf(registry).write(async (w) => {
    const model = await findModel(w, { id: input.modelId });
    const current = await w.lifecycle.getAlias(model.id, input.alias);
    await checkExpected(registry, w, model.id, input.alias, current, input.expected);
    const target = await findVersion(w, input.target);
    if (target.modelId !== model.id) {
      throw InvalidArgumentError.field("model_version", `must be a version of ${modelName(model.id)}`, "VERSION_OF_OTHER_MODEL");
    }
    return moveAlias(registry, w, model, input.alias, target, current, ctx);
  });
}

/**
 * Points the alias at the version inside a running transaction (SetAlias and RegisterModel).
 * A no-op when it already points there: no revision, no history entry.
 */
export async function moveAlias(
  registry: Registry,
  w: StoreWriter,
  model: RegisteredModel,
  alias: string,
  target: ModelVersion,
  current: Alias | undefined,
  ctx: CallContext,
): Promise<SetAliasResult> {
  if (model.state === "ARCHIVED") {
    throw new FailedPreconditionError(`${modelName(model.id)} (${model.displayName}) is archived; restore it first`, "MODEL_ARCHIVED");
  }
  if (target.state === "ARCHIVED") {
    throw new FailedPreconditionError(
      `${versionName(target.modelId, target.id)} (${target.version}) is archived; an alias points at LIVE versions only`,
      "VERSION_ARCHIVED",
    );
  }
  if (current?.versionId === target.id) return { alias: current, previousVersionId: current.versionId };
  const now = unitOf(registry).now();
  const revision = w.allocateRevision();
  const next: Alias = current
    ? { ...current, versionId: target.id, version: target.version, updateTime: now, revision }
    : {
        id: w.allocateId(),
        modelId: model.id,
        alias,
        versionId: target.id,
        version: target.version,
        modelDisplayName: model.displayName,
        createTime: now,
        updateTime: now,
        revision,
      };
  if (current) await w.lifecycle.updateAlias(next);
  else await w.lifecycle.insertAlias(next);
  await w.lifecycle.appendAliasHistory(historyEntry(w, next, "SET", current ?? null, ctx, now, { versionId: target.id, version: target.version }));
  unitOf(registry).record(w, "ALIAS_SET", { type: "Alias", value: next }, current ? { type: "Alias", value: current } : null, ctx);
  return { alias: next, previousVersionId: current?.versionId ?? null };
}

export interface DeleteAliasInput {
  modelId: number;
  alias: string;
  expected: Expected;
  force: boolean;
}

/** Deletes an alias; refused while a DEPLOYED inference service follows it, unless force. */
export async function deleteAlias(registry: Registry, input: DeleteAliasInput, ctx: CallContext): Promise<Alias> {
  return unitOf(registry).write(async (w) => {
    const model = await findModel(w, { id: input.modelId });
    const current = await w.lifecycle.getAlias(model.id, input.alias);
    await checkExpected(registry, w, model.id, input.alias, current, input.expected);
    if (!current) throw new NotFoundError(aliasName(model.id, input.alias));
    if (!input.force) {
      const services = await w.deployments.deployedServices({ kind: "alias", modelId: model.id, alias: input.alias }, 10);
      if (services.length > 0) {
        throw new FailedPreconditionError(
          `${aliasName(model.id, input.alias)} is in use (${describeUsage({ aliases: [], services })}); pass force to delete it anyway`,
          "ALIAS_IN_USE",
        );
      }
    }
    await removeAlias(registry, w, current, ctx);
    return current;
  });
}

/** Deletes an alias inside a running transaction, with its history entry and ALIAS_DELETED event. */
export async function removeAlias(registry: Registry, w: StoreWriter, current: Alias, ctx: CallContext): Promise<void> {
  const now = unitOf(registry).now();
  const stamped: Alias = { ...current, updateTime: now, revision: w.allocateRevision() };
  await w.lifecycle.deleteAlias(current.id);
  await w.lifecycle.appendAliasHistory(historyEntry(w, stamped, "DELETED", current, ctx, now, { versionId: null, version: "" }));
  unitOf(registry).record(w, "ALIAS_DELETED", { type: "Alias", value: stamped }, { type: "Alias", value: current }, ctx);
}

export async function getAlias(registry: Registry, modelId: number, alias: string): Promise<Alias> {
  return unitOf(registry).read(async (r) => {
    await findModel(r, { id: modelId });
    const found = await r.lifecycle.getAlias(modelId, alias);
    if (!found) throw new NotFoundError(aliasName(modelId, alias));
    return found;
  });
}

export async function listAliases(registry: Registry, modelId: number | undefined, request: ListRequest): Promise<Page<Alias>> {
  return listOfModel(registry, modelId, request, ALIAS_LIST, "aliases", (r, query) => r.lifecycle.listAliases({ modelId }, query));
}

export async function listAliasHistory(registry: Registry, modelId: number | undefined, request: ListRequest): Promise<Page<AliasHistoryEntry>> {
  return listOfModel(registry, modelId, request, ALIAS_HISTORY_LIST, "aliasHistory", (r, query) => r.lifecycle.listAliasHistory({ modelId }, query));
}

/** Compare-and-set: the alias must be where the caller expects it, else ABORTED and nothing changes. */
async function checkExpected(
  registry: Registry,
  w: StoreWriter,
  modelId: number,
  alias: string,
  current: Alias | undefined,
  expected: Expected,
): Promise<void> {
  if (expected === undefined) return;
  let expectedId: number | null = null;
  if (expected !== null) {
    expectedId =
      expected.selector.kind === "id"
        ? expected.selector.id
        : await findVersion(w, expected).then(
            (v) => v.id,
            () => -1,
          );
  }
  // Ids are global, so equal version ids also mean the same model.
  if ((current?.versionId ?? null) === expectedId) return;
  const now = current ? versionName(current.modelId, current.versionId) : "";
  throw new AbortedError(
    `${aliasName(modelId, alias)} ${current ? `points at ${now} (${current.version})` : "does not exist"}, not where expected_model_version says`,
    "ALIAS_CHANGED",
    { current_model_version: now },
  );
}

function historyEntry(
  w: StoreWriter,
  alias: Alias,
  type: "SET" | "DELETED",
  previous: Alias | null,
  ctx: CallContext,
  now: Date,
  after: { versionId: number | null; version: string },
): AliasHistoryEntry {
  return {
    id: w.allocateId(),
    revision: alias.revision,
    modelId: alias.modelId,
    alias: alias.alias,
    type,
    ...after,
    previousVersionId: previous?.versionId ?? null,
    previousVersion: previous?.version ?? "",
    actor: ctx.actor,
    reason: ctx.reason ?? "",
    time: now,
  };
}
