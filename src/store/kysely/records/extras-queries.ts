import type { Kysely } from "kysely";
import type { Extras } from "../../../registry/core/record-types.js";
import type { JsonObject } from "../../../registry/core/types.js";
import type { ArtifactTables } from "../artifacts/artifact-tables.js";
import type { BaseTables } from "../sql/base-tables.js";
import { toNumber } from "../sql/integers.js";
import { preparedIdsQuery } from "../sql/prepared-query.js";
import type { RecordTables } from "./record-tables.js";

/** The tables the extras queries use (and the run attribution of artifacts, which the gateway keeps too). */
export type ExtrasDb = BaseTables & RecordTables & ArtifactTables;

const EXTRAS_OF = preparedIdsQuery((db: Kysely<ExtrasDb>, resourceIds: readonly number[]) =>
  db.selectFrom("rest_extras").selectAll().where("resource_id", "in", resourceIds),
);

/**
 * Kubeflow-only fields of any resource (externalId and the rest, kept in rest_extras), and the
 * experiment and run a Kubeflow artifact is attributed to (rest_artifact_runs).
 */
export class ExtrasQueries {
  constructor(protected readonly db: Kysely<ExtrasDb>) {}

  async getExtras(resourceIds: number[]): Promise<Map<number, Extras>> {
    const out = new Map<number, Extras>();
    if (resourceIds.length === 0) return out;
    const rows = await EXTRAS_OF(this.db, resourceIds);
    for (const row of rows) {
      const id = toNumber(row.resource_id);
      out.set(id, {
        resourceId: id,
        resourceType: row.resource_type,
        externalId: row.external_id,
        fields: JSON.parse(row.fields) as JsonObject,
      });
    }
    return out;
  }

  async resourceIdByExternalId(resourceType: string, externalId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("rest_extras")
      .select("resource_id")
      .where("resource_type", "=", resourceType)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    return row ? toNumber(row.resource_id) : undefined;
  }

  async putExtras(extras: Extras): Promise<void> {
    await this.deleteExtras(extras.resourceId);
    await this.db
      .insertInto("rest_extras")
      .values({
        resource_id: extras.resourceId,
        resource_type: extras.resourceType,
        external_id: extras.externalId,
        fields: JSON.stringify(extras.fields),
      })
      .execute();
  }

  async deleteExtras(resourceId: number): Promise<void> {
    await this.db.deleteFrom("rest_extras").where("resource_id", "=", resourceId).execute();
  }

  async putArtifactRun(artifactId: number, run: { experimentId: number | null; runId: number | null }): Promise<void> {
    await this.db.deleteFrom("rest_artifact_runs").where("artifact_id", "=", artifactId).execute();
    if (run.experimentId === null && run.runId === null) return;
    await this.db
      .insertInto("rest_artifact_runs")
      .values({ artifact_id: artifactId, experiment_id: run.experimentId, experiment_run_id: run.runId })
      .execute();
  }
}
