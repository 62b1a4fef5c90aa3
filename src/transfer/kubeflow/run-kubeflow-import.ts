import type { Progress } from "../progress.js";
import { copyKubeflow } from "./copy-kubeflow.js";
import { httpKubeflowApi } from "./api-client.js";
import { openLocalGateway } from "./local-gateway.js";

export interface KubeflowImportOptions {
  /** The source registry's base URL (its REST API is below /api/model_registry/v1alpha3). */
  source: string;
  /** The target database. */
  database: string;
  /** Items per page read from the source. */
  pageSize: number;
  /** Bearer token for the source. */
  token?: string;
  progress: Progress;
}

/** Copies a Kubeflow Model Registry into the registry at `database`; returns a one-line summary. */
export async function runKubeflowImport(options: KubeflowImportOptions): Promise<string> {
  const source = httpKubeflowApi(options.source, options.token);
  const gateway = await openLocalGateway(options.database, "kubeflow-import");
  try {
    const { created, existing } = await copyKubeflow(source, gateway.api, options.pageSize, options.progress);
    const describe = (tally: Record<string, number>) =>
      Object.entries(tally)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(", ") || "nothing";
    return `imported from ${source.where}: created ${describe(created)}; already there: ${describe(existing)}`;
  } finally {
    await gateway.close();
  }
}
