import type { Kysely, Selectable } from "kysely";
import type { KubeflowRecord, MetricHistoryPoint, RecordKind, RecordOwner, RecordParentType } from "../../../registry/core/record-types.js";
import type { JsonObject } from "../../../registry/core/types.js";
import type { RecordScope, RecordWriter } from "../../../registry/ports/record-store.js";
import type { ListQuery, ListResult } from "../../../registry/ports/store.js";
import { ARTIFACT_RUN_RELATED } from "../artifacts/artifact-queries.js";
import type { DynamicExpressionBuilder, ListSelect } from "../sql/dynamic-query.js";
import { type ExtrasDb, ExtrasQueries } from "./extras-queries.js";
import { time, toNumber } from "../sql/integers.js";
import type { LineageTables } from "../lineage/lineage-tables.js";
import { deleteMetadata, loadProperties, writeMetadata } from "../sql/metadata.js";
import type { Paginate } from "../sql/page-query.js";
import type { RecordsTable } from "./record-tables.js";
import type { ServingTables } from "../serving/serving-tables.js";
import type { VersionTables } from "../versions/version-tables.js";

/** The tables the record queries use: a record's parent is a version, a run or an inference service. */
export type RecordsDb = ExtrasDb & VersionTables & LineageTables & ServingTables;

const RECORD_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  uri: "t.uri",
  state: "t.state",
  artifact_type: "t.kind",
  parent_id: "t.parent_id",
  create_time: "t.create_time",
  update_time: "t.update_time",
  // A ServeModel's inference service and where it lives (the left-joined parent, see records()).
  inference_service_id: "ps.id",
  serving_environment_id: "ps.environment_id",
  registered_model_id: "ps.model_id",
};

/** A metric value's time is both its create and its update time. */
const METRIC_COLUMNS: Record<string, string> = {
  id: "t.id",
  key: "t.key",
  value: "t.value",
  step: "t.step",
  time: "t.time",
  create_time: "t.time",
  update_time: "t.time",
  experiment_run_id: "t.run_id",
  experiment_id: "r.experiment_id",
};

/** The table of each parent type, to skip records whose parent was deleted. */
const PARENT_TABLES: Record<RecordParentType, "model_versions" | "experiment_runs" | "inference_services"> = {
  version: "model_versions",
  run: "experiment_runs",
  "inference-service": "inference_services",
};

/** A record with its parent's place (left-joined: null unless the parent is of that type and exists). */
type RecordRow = Selectable<RecordsTable> & {
  owner_version_model: NullableId;
  owner_run_experiment: NullableId;
  owner_service_environment: NullableId;
  owner_service_model: NullableId;
};
type NullableId = bigint | number | string | null;

const parentExists = (eb: DynamicExpressionBuilder, type: RecordParentType) =>
  eb.and([
    eb("t.parent_type", "=", type),
    eb.exists(eb.selectFrom(`${PARENT_TABLES[type]} as p`).select("p.id").whereRef("p.id", "=", "t.parent_id")),
  ]);

/**
 * SQL of the Kubeflow gateway's records (doc, dataset, metric and parameter artifacts, and
 * ServeModels) and, through ExtrasQueries, of the extras of any resource: the store's `rest`
 * area (RecordWriter, src/registry/ports/record-store.ts).
 */
export class RecordQueries extends ExtrasQueries implements RecordWriter {
  constructor(
    protected override readonly db: Kysely<RecordsDb>,
    private readonly paginate: Paginate,
  ) {
    super(db);
  }

  /**
   * Records with the ids of their parent's place (for resource names and the model): a left join
   * per parent type, so a record whose parent is gone reads with no owner.
   */
  private records() {
    return this.db
      .selectFrom("rest_artifacts as t")
      .leftJoin("model_versions as pv", (j) => j.onRef("pv.id", "=", "t.parent_id").on("t.parent_type", "=", "version"))
      .leftJoin("experiment_runs as pr", (j) => j.onRef("pr.id", "=", "t.parent_id").on("t.parent_type", "=", "run"))
      .leftJoin("inference_services as ps", (j) => j.onRef("ps.id", "=", "t.parent_id").on("t.parent_type", "=", "inference-service"))
      .select([
        "pv.model_id as owner_version_model",
        "pr.experiment_id as owner_run_experiment",
        "ps.environment_id as owner_service_environment",
        "ps.model_id as owner_service_model",
      ])
      .selectAll("t");
  }

  async getRecord(id: number): Promise<KubeflowRecord | undefined> {
    const row = await this.records().where("t.id", "=", id).executeTakeFirst();
    return row ? (await this.hydrate([row]))[0] : undefined;
  }

  async recordsOf(parentType: RecordParentType, parentIds: readonly number[]): Promise<KubeflowRecord[]> {
    if (parentIds.length === 0) return [];
    const rows = await this.records()
      .where("t.parent_type", "=", parentType)
      .where("t.parent_id", "in", [...parentIds])
      .orderBy("t.id")
      .execute();
    return this.hydrate(rows);
  }

  async deleteRecords(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await deleteMetadata(this.db, chunk);
      await this.db.deleteFrom("rest_extras").where("resource_id", "in", chunk).execute();
      await this.db.deleteFrom("rest_artifact_runs").where("artifact_id", "in", chunk).execute();
      await this.db.deleteFrom("rest_artifacts").where("id", "in", chunk).execute();
    }
  }

  async listRecords(scope: RecordScope, query: ListQuery): Promise<ListResult<KubeflowRecord>> {
    let base: ListSelect<RecordRow> = this.records().where("t.kind", "in", [...scope.kinds]);
    if (scope.modelId !== undefined) {
      const modelId = scope.modelId;
      base = base.where((eb) => eb.or([eb("pv.model_id", "=", modelId), eb("ps.model_id", "=", modelId)]));
    }
    if (scope.parentId !== undefined && scope.parentType) {
      base = base.where("t.parent_type", "=", scope.parentType).where("t.parent_id", "=", scope.parentId);
    } else if (scope.parentType) {
      const type = scope.parentType;
      base = base.where((eb) => parentExists(eb, type));
    } else {
      base = base.where((eb) =>
        eb.or([eb("t.parent_id", "is", null), ...(Object.keys(PARENT_TABLES) as RecordParentType[]).map((type) => parentExists(eb, type))]),
      );
    }
    const page = await this.paginate(base, query, RECORD_COLUMNS, ARTIFACT_RUN_RELATED);
    return { ...page, items: await this.hydrate(page.items) };
  }

  async insertRecord(record: KubeflowRecord): Promise<void> {
    await this.db
      .insertInto("rest_artifacts")
      .values({ id: record.id, ...recordRow(record) })
      .execute();
    await writeMetadata(this.db, record.id, { customProperties: record.customProperties });
  }

  async updateRecord(record: KubeflowRecord): Promise<void> {
    const { create_time: _created, ...row } = recordRow(record);
    await this.db.updateTable("rest_artifacts").set(row).where("id", "=", record.id).execute();
    await writeMetadata(this.db, record.id, { customProperties: record.customProperties });
  }

  async listMetricHistory(scope: { runId?: number }, query: ListQuery): Promise<ListResult<MetricHistoryPoint>> {
    let base = this.db
      .selectFrom("run_metrics as t")
      .innerJoin("experiment_runs as r", "r.id", "t.run_id")
      .select("r.experiment_id as experiment_id")
      .selectAll("t");
    if (scope.runId !== undefined) base = base.where("t.run_id", "=", scope.runId);
    const page = await this.paginate(base, query, METRIC_COLUMNS);
    return {
      ...page,
      items: page.items.map((r) => ({
        id: toNumber(r.id),
        runId: toNumber(r.run_id),
        experimentId: toNumber(r.experiment_id),
        key: r.key,
        value: Number(r.value),
        step: toNumber(r.step),
        time: time(r.time),
      })),
    };
  }

  private async hydrate(rows: RecordRow[]): Promise<KubeflowRecord[]> {
    const props = await loadProperties(
      this.db,
      rows.map((r) => toNumber(r.id)),
    );
    return rows.map((r) => {
      const id = toNumber(r.id);
      const parent = r.parent_id === null ? null : { type: r.parent_type as RecordParentType, id: toNumber(r.parent_id) };
      return {
        id,
        kind: r.kind as RecordKind,
        parent,
        owner: parent ? ownerOf(parent, r) : null,
        displayName: r.display_name,
        description: r.description,
        uri: r.uri,
        state: r.state,
        fields: JSON.parse(r.fields) as JsonObject,
        customProperties: props.get(id) ?? {},
        createTime: time(r.create_time),
        updateTime: time(r.update_time),
        revision: toNumber(r.revision),
      };
    });
  }
}

/** The owner of a record from the joined parent columns; null when the parent is gone. */
function ownerOf(parent: { type: RecordParentType; id: number }, r: RecordRow): RecordOwner | null {
  switch (parent.type) {
    case "version":
      return r.owner_version_model === null ? null : { type: "version", modelId: toNumber(r.owner_version_model), versionId: parent.id };
    case "run":
      return r.owner_run_experiment === null ? null : { type: "run", experimentId: toNumber(r.owner_run_experiment), runId: parent.id };
    case "inference-service":
      // Both come from the one joined service row (whose model_id is NOT NULL): null together.
      return r.owner_service_environment === null || r.owner_service_model === null
        ? null
        : {
            type: "inference-service",
            environmentId: toNumber(r.owner_service_environment),
            serviceId: parent.id,
            modelId: toNumber(r.owner_service_model),
          };
  }
}

function recordRow(record: KubeflowRecord) {
  return {
    kind: record.kind,
    parent_type: record.parent?.type ?? "",
    parent_id: record.parent?.id ?? null,
    display_name: record.displayName,
    description: record.description,
    uri: record.uri,
    state: record.state,
    fields: JSON.stringify(record.fields),
    create_time: record.createTime.getTime(),
    update_time: record.updateTime.getTime(),
    revision: record.revision,
  };
}
