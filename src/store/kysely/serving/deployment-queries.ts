import type { Kysely, Selectable } from "kysely";
import type { DesiredState, InferenceService, ServingEnvironment } from "../../../registry/core/types.js";
import type { DeployedRef, DeploymentWriter, ServiceScope, ListQuery, ListResult } from "../../../registry/ports/store.js";
import { optionalId, optionalTime, time, toNumber } from "../sql/integers.js";
import { deleteMetadata, loadLabels, loadProperties, writeMetadata } from "../sql/metadata.js";
import type { Paginate } from "../sql/page-query.js";
import { deploys, type ServiceRow, type ServingDb, targetVersions } from "./service-targets.js";
import type { ServingEnvironmentsTable } from "./serving-tables.js";

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

/** Serving environments and inference services, with the "what does it deploy" conditions. */
export class DeploymentQueries implements DeploymentWriter {
  constructor(
    private readonly db: Kysely<ServingDb>,
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
    const [props, labels, targets] = await Promise.all([loadProperties(this.db, ids), loadLabels(this.db, ids), targetVersions(this.db, rows)]);
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
