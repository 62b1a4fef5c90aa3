import { type ExpressionBuilder, type Kysely, type Selectable, sql } from "kysely";
import type { DesiredState, InferenceService, ServingEnvironment } from "../../registry/core/types.js";
import type { DeployedRef, DeploymentWriter, ServiceScope } from "../../registry/ports/store.js";
import type { ListQuery, ListResult } from "../../registry/ports/store.js";
import { toNumber } from "./dialect.js";
import type { InferenceServicesTable, ServingEnvironmentsTable } from "./lifecycle-schema.js";
import { deleteMetadata, loadLabels, loadProperties, optionalId, optionalTime, type Paginate, time, writeMetadata } from "./lifecycle-support.js";
import type { Database } from "./schema.js";

const ENVIRONMENT_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

const SERVICE_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  runtime: "t.runtime",
  desired_state: "t.desired_state",
  alias: "t.alias",
  registered_model_id: "t.model_id",
  registered_model: "m.display_name",
  model_version_id: "t.version_id",
  serving_model_version_id: "t.status_version_id",
  serving_environment_id: "t.environment_id",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

/** Conditions on the services table, listed as `t`. */
type ServicesEb = ExpressionBuilder<Database & { t: InferenceServicesTable }, "t">;
type ServiceRow = Selectable<InferenceServicesTable>;

/** Serving environments and inference services, with the "what does it deploy" conditions. */
export class DeploymentQueries implements DeploymentWriter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly paginate: Paginate,
  ) {}

  async getEnvironment(id: number): Promise<ServingEnvironment | undefined> {
    const row = await this.db.selectFrom("serving_environments").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? (await this.hydrateEnvironments([row]))[0] : undefined;
  }

  async getEnvironmentByDisplayName(displayName: string): Promise<ServingEnvironment | undefined> {
    const row = await this.db.selectFrom("serving_environments").selectAll().where("display_name", "=", displayName).executeTakeFirst();
    return row ? (await this.hydrateEnvironments([row]))[0] : undefined;
  }

  async listEnvironments(query: ListQuery): Promise<ListResult<ServingEnvironment>> {
    const page = await this.paginate(this.db.selectFrom("serving_environments as t").selectAll("t"), query, ENVIRONMENT_COLUMNS);
    return { ...page, items: await this.hydrateEnvironments(page.items) };
  }

  async getService(id: number): Promise<InferenceService | undefined> {
    const row = await this.db.selectFrom("inference_services").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? (await this.hydrateServices([row]))[0] : undefined;
  }

  async listServices(scope: ServiceScope, query: ListQuery): Promise<ListResult<InferenceService>> {
    let services = this.db.selectFrom("inference_services as t").selectAll("t");
    if (scope.environmentId !== undefined) services = services.where("t.environment_id", "=", scope.environmentId);
    const deploying = scope.deploying;
    if (deploying) services = services.where((eb) => deploys(eb, deploying));
    // A left join (for filters on the model's name): the model of a service may have been deleted with force.
    const base = services.leftJoin("registered_models as m", "m.id", "t.model_id");
    const page = await this.paginate(base, query, SERVICE_COLUMNS);
    return { ...page, items: await this.hydrateServices(page.items) };
  }

  async servicesOfEnvironment(environmentId: number): Promise<InferenceService[]> {
    const rows = await this.db
      .selectFrom("inference_services")
      .selectAll()
      .where("environment_id", "=", environmentId)
      .orderBy("create_time")
      .orderBy("id")
      .execute();
    return this.hydrateServices(rows);
  }

  async deployedServices(ref: DeployedRef, limit: number): Promise<InferenceService[]> {
    let q = this.db.selectFrom("inference_services as t").selectAll("t").where("t.desired_state", "=", "DEPLOYED");
    switch (ref.kind) {
      case "model":
        q = q.where("t.model_id", "=", ref.modelId);
        break;
      case "alias":
        q = q.where("t.model_id", "=", ref.modelId).where("t.alias", "=", ref.alias).where("t.version_id", "is", null);
        break;
      case "version":
        q = q.where((eb) => deploys(eb, ref));
        break;
      case "environment":
        q = q.where("t.environment_id", "=", ref.environmentId);
        break;
    }
    const rows = await q.orderBy("t.id").limit(limit).execute();
    return this.hydrateServices(rows);
  }

  async insertEnvironment(e: ServingEnvironment): Promise<void> {
    await this.db.insertInto("serving_environments").values(environmentToRow(e)).execute();
    await writeMetadata(this.db, e.id, e);
  }

  async updateEnvironment(e: ServingEnvironment): Promise<void> {
    const { id, create_time: _c, ...row } = environmentToRow(e);
    await this.db.updateTable("serving_environments").set(row).where("id", "=", id).execute();
    await writeMetadata(this.db, e.id, e);
  }

  async deleteEnvironmentRows(id: number): Promise<void> {
    await deleteMetadata(this.db, [id]);
    await this.db.deleteFrom("serving_environments").where("id", "=", id).execute();
  }

  async insertService(s: InferenceService): Promise<void> {
    await this.db.insertInto("inference_services").values(serviceToRow(s)).execute();
    await writeMetadata(this.db, s.id, s);
  }

  async updateService(s: InferenceService): Promise<void> {
    const { id, environment_id: _e, create_time: _c, ...row } = serviceToRow(s);
    await this.db.updateTable("inference_services").set(row).where("id", "=", id).execute();
    await writeMetadata(this.db, s.id, s);
  }

  async deleteServiceRows(id: number): Promise<void> {
    await deleteMetadata(this.db, [id]);
    await this.db.deleteFrom("inference_services").where("id", "=", id).execute();
  }

  private async hydrateEnvironments(rows: Selectable<ServingEnvironmentsTable>[]): Promise<ServingEnvironment[]> {
    const ids = rows.map((r) => toNumber(r.id));
    const [props, labels] = await Promise.all([loadProperties(this.db, ids), loadLabels(this.db, ids)]);
    return rows.map((r, i) => ({
      id: ids[i]!,
      displayName: r.display_name,
      description: r.description,
      labels: labels.get(ids[i]!) ?? {},
      customProperties: props.get(ids[i]!) ?? {},
      createTime: time(r.create_time),
      updateTime: time(r.update_time),
      revision: toNumber(r.revision),
    }));
  }

  /** Services with metadata and the version each targets now: a fixed number of queries per page. */
  private async hydrateServices(rows: ServiceRow[]): Promise<InferenceService[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => toNumber(r.id));
    const [props, labels, targets] = await Promise.all([loadProperties(this.db, ids), loadLabels(this.db, ids), this.targets(rows)]);
    return rows.map((r, i) => {
      const id = ids[i]!;
      return {
        id,
        environmentId: toNumber(r.environment_id),
        displayName: r.display_name,
        description: r.description,
        modelId: toNumber(r.model_id),
        versionId: optionalId(r.version_id),
        alias: r.alias,
        runtime: r.runtime,
        desiredState: r.desired_state as DesiredState,
        labels: labels.get(id) ?? {},
        customProperties: props.get(id) ?? {},
        targetVersionId: targets.get(id) ?? null,
        specRevision: toNumber(r.spec_revision),
        status: {
          servingVersionId: optionalId(r.status_version_id),
          ready: toNumber(r.status_ready) !== 0,
          url: r.status_url,
          observedRevision: toNumber(r.status_observed_revision),
          message: r.status_message,
          reportTime: optionalTime(r.status_time),
          reporter: r.status_reporter,
        },
        createTime: time(r.create_time),
        updateTime: time(r.update_time),
        revision: toNumber(r.revision),
      };
    });
  }

  /** The version each service's spec selects now: pinned (if it still exists), by alias, or latest. */
  private async targets(rows: ServiceRow[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const pinned = rows.filter((r): r is ServiceRow & { version_id: NonNullable<ServiceRow["version_id"]> } => r.version_id !== null);
    const byAlias = rows.filter((r) => r.version_id === null && r.alias !== "");
    const byLatest = rows.filter((r) => r.version_id === null && r.alias === "");
    const modelIds = (list: ServiceRow[]) => [...new Set(list.map((r) => toNumber(r.model_id)))];
    const [existing, aliases, latest] = await Promise.all([
      pinned.length === 0
        ? []
        : this.db
            .selectFrom("model_versions")
            .select("id")
            .where(
              "id",
              "in",
              pinned.map((r) => toNumber(r.version_id)),
            )
            .execute(),
      byAlias.length === 0
        ? []
        : this.db
            .selectFrom("model_aliases")
            .select(["model_id", "alias", "version_id"])
            .where("model_id", "in", modelIds(byAlias))
            .where("alias", "in", [...new Set(byAlias.map((r) => r.alias))])
            .execute(),
      byLatest.length === 0 ? new Map<number, number>() : this.latestVersions(modelIds(byLatest)),
    ]);
    const present = new Set(existing.map((r) => toNumber(r.id)));
    for (const r of pinned) if (present.has(toNumber(r.version_id))) out.set(toNumber(r.id), toNumber(r.version_id));
    const aliasMap = new Map(aliases.map((a) => [`${toNumber(a.model_id)}/${a.alias}`, toNumber(a.version_id)]));
    for (const r of byAlias) {
      const v = aliasMap.get(`${toNumber(r.model_id)}/${r.alias}`);
      if (v !== undefined) out.set(toNumber(r.id), v);
    }
    for (const r of byLatest) {
      const v = latest.get(toNumber(r.model_id));
      if (v !== undefined) out.set(toNumber(r.id), v);
    }
    return out;
  }

  /** The newest LIVE version of each model, in one query. */
  private async latestVersions(modelIds: number[]): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom("model_versions as v")
      .select(["v.model_id", "v.id"])
      .where("v.model_id", "in", modelIds)
      .where("v.state", "=", "LIVE")
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("model_versions as w")
              .select(sql.lit(1).as("one"))
              .whereRef("w.model_id", "=", "v.model_id")
              .where("w.state", "=", "LIVE")
              .where((eb) =>
                eb.or([
                  eb("w.create_time", ">", eb.ref("v.create_time")),
                  eb.and([eb("w.create_time", "=", eb.ref("v.create_time")), eb("w.id", ">", eb.ref("v.id"))]),
                ]),
              ),
          ),
        ),
      )
      .execute();
    return new Map(rows.map((r) => [toNumber(r.model_id), toNumber(r.id)]));
  }
}

/**
 * "The service deploys version V of model M": pinned to V, following an alias that points at V,
 * or following latest when V is the latest; or its controller reports serving V.
 */
function deploys(eb: ServicesEb, d: { modelId: number; versionId: number; isLatest: boolean }) {
  const viaAlias = eb.exists(
    eb
      .selectFrom("model_aliases as a")
      .select(sql.lit(1).as("one"))
      .whereRef("a.model_id", "=", "t.model_id")
      .whereRef("a.alias", "=", "t.alias")
      .where("a.version_id", "=", d.versionId),
  );
  const targets = [eb("t.version_id", "=", d.versionId), eb.and([eb("t.version_id", "is", null), eb("t.alias", "<>", ""), viaAlias])];
  if (d.isLatest) targets.push(eb.and([eb("t.version_id", "is", null), eb("t.alias", "=", "")]));
  return eb.or([eb.and([eb("t.model_id", "=", d.modelId), eb.or(targets)]), eb("t.status_version_id", "=", d.versionId)]);
}

function environmentToRow(e: ServingEnvironment) {
  return {
    id: e.id,
    display_name: e.displayName,
    description: e.description,
    create_time: e.createTime.getTime(),
    update_time: e.updateTime.getTime(),
    revision: e.revision,
  };
}

function serviceToRow(s: InferenceService) {
  return {
    id: s.id,
    environment_id: s.environmentId,
    display_name: s.displayName,
    description: s.description,
    model_id: s.modelId,
    version_id: s.versionId,
    alias: s.alias,
    runtime: s.runtime,
    desired_state: s.desiredState,
    spec_revision: s.specRevision,
    status_version_id: s.status.servingVersionId,
    status_ready: s.status.ready ? 1 : 0,
    status_url: s.status.url,
    status_observed_revision: s.status.observedRevision,
    status_message: s.status.message,
    status_time: s.status.reportTime ? s.status.reportTime.getTime() : null,
    status_reporter: s.status.reporter,
    create_time: s.createTime.getTime(),
    update_time: s.updateTime.getTime(),
    revision: s.revision,
  };
}
