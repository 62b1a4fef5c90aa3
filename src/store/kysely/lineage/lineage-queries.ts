import type { Kysely } from "kysely";
import type { DatasetRef, Experiment, ExperimentRun, MetricPoint, VersionSource, Properties } from "../../../registry/core/types.js";
import type { LineageWriter, RunScope, ListQuery, ListResult } from "../../../registry/ports/store.js";
import { optionalId, time, toNumber } from "../sql/integers.js";
import { deleteMetadata, propertyToRow, writeMetadata } from "../sql/metadata.js";
import { experimentToRow, hydrateExperiments, hydrateRuns, type LineageDb, runToRow } from "./lineage-rows.js";
import type { Paginate } from "../sql/page-query.js";
import { preparedIdsQuery, preparedQuery } from "../sql/prepared-query.js";

/** The lineage of one version (GetModelVersion), compiled once. */
const SOURCE_OF_ONE = preparedQuery((db: Kysely<LineageDb>, versionId: number) =>
  db.selectFrom("model_version_sources").selectAll().where("version_id", "=", versionId),
);
const SOURCES_OF_MANY = preparedIdsQuery((db: Kysely<LineageDb>, versionIds: readonly number[]) =>
  db.selectFrom("model_version_sources").selectAll().where("version_id", "in", versionIds),
);

const EXPERIMENT_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  owner: "t.owner",
  state: "t.state",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

const RUN_COLUMNS: Record<string, string> = {
  id: "t.id",
  experiment_id: "t.experiment_id",
  display_name: "t.display_name",
  description: "t.description",
  author: "t.author",
  status: "t.status",
  start_time: "t.start_time",
  end_time: "t.end_time",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

const METRIC_COLUMNS: Record<string, string> = {
  id: "t.id",
  key: "t.key",
  value: "t.value",
  step: "t.step",
  time: "t.time",
  create_time: "t.time",
};

/** Experiments, runs (params, metrics, datasets) and the sources of model versions. */
export class LineageQueries implements LineageWriter {
  constructor(
    private readonly db: Kysely<LineageDb>,
    private readonly paginate: Paginate,
  ) {}

  async getExperiment(id: number): Promise<Experiment | undefined> {
    const row = await this.db.selectFrom("experiments").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? (await hydrateExperiments(this.db, [row]))[0] : undefined;
  }

  async getExperimentByDisplayName(displayName: string): Promise<Experiment | undefined> {
    const row = await this.db.selectFrom("experiments").selectAll().where("display_name", "=", displayName).executeTakeFirst();
    return row ? (await hydrateExperiments(this.db, [row]))[0] : undefined;
  }

  async listExperiments(query: ListQuery): Promise<ListResult<Experiment>> {
    const page = await this.paginate(this.db.selectFrom("experiments as t").selectAll("t"), query, EXPERIMENT_COLUMNS);
    return { ...page, items: await hydrateExperiments(this.db, page.items) };
  }

  async getRun(id: number): Promise<ExperimentRun | undefined> {
    const row = await this.db.selectFrom("experiment_runs").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? (await hydrateRuns(this.db, [row]))[0] : undefined;
  }

  async listRuns(scope: RunScope, query: ListQuery): Promise<ListResult<ExperimentRun>> {
    let base = this.db.selectFrom("experiment_runs as t").selectAll("t");
    if (scope.experimentId !== undefined) base = base.where("t.experiment_id", "=", scope.experimentId);
    const page = await this.paginate(base, query, RUN_COLUMNS);
    return { ...page, items: await hydrateRuns(this.db, page.items) };
  }

  async runsOfExperiment(experimentId: number): Promise<ExperimentRun[]> {
    const rows = await this.db
      .selectFrom("experiment_runs")
      .selectAll()
      .where("experiment_id", "=", experimentId)
      .orderBy("create_time")
      .orderBy("id")
      .execute();
    return hydrateRuns(this.db, rows);
  }

  async listMetricHistory(runId: number, query: ListQuery): Promise<ListResult<MetricPoint>> {
    const base = this.db.selectFrom("run_metrics as t").selectAll("t").where("t.run_id", "=", runId);
    const page = await this.paginate(base, query, METRIC_COLUMNS);
    return {
      ...page,
      items: page.items.map((r) => ({ key: r.key, value: Number(r.value), step: toNumber(r.step), time: time(r.time) })),
    };
  }

  async versionsFromRuns(runIds: number[], limit: number): Promise<number[]> {
    if (runIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("model_version_sources")
      .select("version_id")
      .where("run_id", "in", runIds)
      .orderBy("version_id")
      .limit(limit)
      .execute();
    return rows.map((r) => toNumber(r.version_id));
  }

  /** The sources of many versions in one query. */
  async sourcesOf(versionIds: number[]): Promise<Map<number, VersionSource>> {
    const out = new Map<number, VersionSource>();
    if (versionIds.length === 0) return out;
    const rows = versionIds.length === 1 ? await SOURCE_OF_ONE(this.db, versionIds[0]!) : await SOURCES_OF_MANY(this.db, versionIds);
    for (const r of rows) {
      out.set(toNumber(r.version_id), {
        experimentId: optionalId(r.experiment_id),
        runId: optionalId(r.run_id),
        pipelineRunId: r.pipeline_run_id,
        codeCommit: r.code_commit,
        datasets: JSON.parse(r.datasets) as DatasetRef[],
      });
    }
    return out;
  }

  async insertExperiment(e: Experiment): Promise<void> {
    await this.db.insertInto("experiments").values(experimentToRow(e)).execute();
    await writeMetadata(this.db, e.id, e);
  }

  async updateExperiment(e: Experiment): Promise<void> {
    const { id, create_time: _c, ...row } = experimentToRow(e);
    await this.db.updateTable("experiments").set(row).where("id", "=", id).execute();
    await writeMetadata(this.db, e.id, e);
  }

  async deleteExperimentRows(id: number): Promise<void> {
    await deleteMetadata(this.db, [id]);
    await this.db.deleteFrom("experiments").where("id", "=", id).execute();
  }

  async insertRun(run: ExperimentRun): Promise<void> {
    await this.db.insertInto("experiment_runs").values(runToRow(run)).execute();
    await this.writeParams(run.id, run.params);
    await writeMetadata(this.db, run.id, run);
  }

  async updateRun(run: ExperimentRun): Promise<void> {
    const { id, experiment_id: _e, create_time: _c, ...row } = runToRow(run);
    await this.db.updateTable("experiment_runs").set(row).where("id", "=", id).execute();
    await this.db.deleteFrom("run_params").where("run_id", "=", run.id).execute();
    await this.writeParams(run.id, run.params);
    await writeMetadata(this.db, run.id, run);
  }

  async deleteRunRows(id: number): Promise<void> {
    await this.db.deleteFrom("run_params").where("run_id", "=", id).execute();
    await this.db.deleteFrom("run_latest_metrics").where("run_id", "=", id).execute();
    await this.db.deleteFrom("run_metrics").where("run_id", "=", id).execute();
    await deleteMetadata(this.db, [id]);
    await this.db.deleteFrom("experiment_runs").where("id", "=", id).execute();
  }

  async appendMetrics(runId: number, points: Array<MetricPoint & { id: number }>): Promise<void> {
    if (points.length === 0) return;
    await this.db
      .insertInto("run_metrics")
      .values(points.map((p) => ({ id: p.id, run_id: runId, key: p.key, value: p.value, step: p.step, time: p.time.getTime() })))
      .execute();
    const keys = [...new Set(points.map((p) => p.key))];
    const current = await this.db.selectFrom("run_latest_metrics").selectAll().where("run_id", "=", runId).where("key", "in", keys).execute();
    const latest = new Map(current.map((r) => [r.key, { step: toNumber(r.step), id: toNumber(r.metric_id), value: Number(r.value) }]));
    const changed = new Set<string>();
    for (const p of points) {
      const cur = latest.get(p.key);
      // The highest step wins; on a tie, the value logged last.
      if (!cur || p.step > cur.step || (p.step === cur.step && p.id > cur.id)) {
        latest.set(p.key, { step: p.step, id: p.id, value: p.value });
        changed.add(p.key);
      }
    }
    for (const key of changed) {
      const v = latest.get(key)!;
      await this.db
        .insertInto("run_latest_metrics")
        .values({ run_id: runId, key, value: v.value, step: v.step, metric_id: v.id })
        .onConflict((oc) => oc.columns(["run_id", "key"]).doUpdateSet({ value: v.value, step: v.step, metric_id: v.id }))
        .execute();
    }
  }

  async writeVersionSource(versionId: number, source: VersionSource | null): Promise<void> {
    await this.db.deleteFrom("model_version_sources").where("version_id", "=", versionId).execute();
    if (!source) return;
    await this.db
      .insertInto("model_version_sources")
      .values({
        version_id: versionId,
        experiment_id: source.experimentId,
        run_id: source.runId,
        pipeline_run_id: source.pipelineRunId,
        code_commit: source.codeCommit,
        datasets: JSON.stringify(source.datasets),
      })
      .execute();
  }

  private async writeParams(runId: number, params: Properties): Promise<void> {
    const rows = Object.entries(params).map(([key, value]) => {
      const { resource_id: _r, ...row } = propertyToRow(runId, key, value);
      return { ...row, run_id: runId };
    });
    if (rows.length > 0) await this.db.insertInto("run_params").values(rows).execute();
  }
}
