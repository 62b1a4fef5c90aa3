import type { Kysely, Selectable } from "kysely";
import type { DatasetRef, Experiment, ExperimentRun, RunStatus, Properties, State } from "../../../registry/core/types.js";
import type { BaseTables } from "../sql/base-tables.js";
import { optionalTime, time, toNumber } from "../sql/integers.js";
import type { ExperimentRunsTable, ExperimentsTable, LineageTables } from "./lineage-tables.js";
import { loadLabels, loadProperties, rowToProperty } from "../sql/metadata.js";

/** Rows of experiments and runs, to and from the domain (lineage-queries.ts runs the SQL). */

/** The tables the lineage queries use. */
export type LineageDb = BaseTables & LineageTables;

export async function hydrateExperiments(db: Kysely<LineageDb>, rows: Selectable<ExperimentsTable>[]): Promise<Experiment[]> {
  const ids = rows.map((r) => toNumber(r.id));
  const [props, labels] = await Promise.all([loadProperties(db, ids), loadLabels(db, ids)]);
  return rows.map((r, i) => ({
    id: ids[i]!,
    displayName: r.display_name,
    description: r.description,
    owner: r.owner,
    state: r.state as State,
    labels: labels.get(ids[i]!) ?? {},
    customProperties: props.get(ids[i]!) ?? {},
    createTime: time(r.create_time),
    updateTime: time(r.update_time),
    revision: toNumber(r.revision),
  }));
}

/** Runs with their params, latest metrics and custom properties: three queries per page. */
export async function hydrateRuns(db: Kysely<LineageDb>, rows: Selectable<ExperimentRunsTable>[]): Promise<ExperimentRun[]> {
  const ids = rows.map((r) => toNumber(r.id));
  if (ids.length === 0) return [];
  const [props, paramRows, metricRows] = await Promise.all([
    loadProperties(db, ids),
    db.selectFrom("run_params").selectAll().where("run_id", "in", ids).orderBy("key").execute(),
    db.selectFrom("run_latest_metrics").selectAll().where("run_id", "in", ids).orderBy("key").execute(),
  ]);
  const params = new Map<number, Properties>();
  for (const row of paramRows) {
    const id = toNumber(row.run_id);
    const p = params.get(id) ?? {};
    p[row.key] = rowToProperty({ ...row, resource_id: row.run_id });
    params.set(id, p);
  }
  const metrics = new Map<number, Record<string, number>>();
  for (const row of metricRows) {
    const id = toNumber(row.run_id);
    const m = metrics.get(id) ?? {};
    m[row.key] = Number(row.value);
    metrics.set(id, m);
  }
  return rows.map((r, i) => ({
    id: ids[i]!,
    experimentId: toNumber(r.experiment_id),
    displayName: r.display_name,
    description: r.description,
    author: r.author,
    status: r.status as RunStatus,
    startTime: time(r.start_time),
    endTime: optionalTime(r.end_time),
    params: params.get(ids[i]!) ?? {},
    metrics: metrics.get(ids[i]!) ?? {},
    datasets: JSON.parse(r.datasets) as DatasetRef[],
    customProperties: props.get(ids[i]!) ?? {},
    createTime: time(r.create_time),
    updateTime: time(r.update_time),
    revision: toNumber(r.revision),
  }));
}

export function experimentToRow(e: Experiment) {
  return {
    id: e.id,
    display_name: e.displayName,
    description: e.description,
    owner: e.owner,
    state: e.state,
    create_time: e.createTime.getTime(),
    update_time: e.updateTime.getTime(),
    revision: e.revision,
  };
}

export function runToRow(r: ExperimentRun) {
  return {
    id: r.id,
    experiment_id: r.experimentId,
    display_name: r.displayName,
    description: r.description,
    author: r.author,
    status: r.status,
    start_time: r.startTime.getTime(),
    end_time: r.endTime ? r.endTime.getTime() : null,
    datasets: JSON.stringify(r.datasets),
    create_time: r.createTime.getTime(),
    update_time: r.updateTime.getTime(),
    revision: r.revision,
  };
}
