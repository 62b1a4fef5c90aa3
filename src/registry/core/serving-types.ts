import type { Properties } from "./values.js";

/** Serving: environments, inference services and their deployment status. */

export interface ServingEnvironment {
  id: number;
  displayName: string;
  description: string;
  labels: Record<string, string>;
  customProperties: Properties;
  createTime: Date;
  updateTime: Date;
  revision: number;
}

export type DesiredState = "DEPLOYED" | "UNDEPLOYED";

/** What a controller reported. */
export interface DeploymentStatus {
  servingVersionId: number | null;
  ready: boolean;
  url: string;
  observedRevision: number;
  message: string;
  reportTime: Date | null;
  reporter: string;
}

export interface InferenceService {
  id: number;
  environmentId: number;
  displayName: string;
  description: string;
  /** The registered model served (by id: ids are never reused, so a deleted model is never mistaken for another). */
  modelId: number;
  /** A pinned version, or null to follow alias (or latest when alias is empty). */
  versionId: number | null;
  alias: string;
  runtime: string;
  desiredState: DesiredState;
  labels: Record<string, string>;
  customProperties: Properties;
  /** The version the spec selects now (read time only; never stored). */
  targetVersionId?: number | null;
  /** Revision of the last spec change; controllers echo it as status.observedRevision. */
  specRevision: number;
  status: DeploymentStatus;
  createTime: Date;
  updateTime: Date;
  revision: number;
}
