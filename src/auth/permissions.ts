/**
 * What a caller may do. Every RPC needs one or more of these (see call-requirements.ts); roles
 * are fixed sets of them. Kept small on purpose: one permission per kind of risk.
 */
export const PERMISSIONS = [
  /** Read anything: Get, List, Compare, Lineage, ResolveModelUri, Watch, ListEvents. */
  "models.read",
  /** Register, create and update (archive and restore are updates), experiments, deployments. */
  "models.write",
  /** Move or remove an alias that is not protected (staging, champion). */
  "aliases.set",
  /** Move or remove a protected alias (default: production). */
  "aliases.set_protected",
  /** Delete a resource. */
  "resources.delete",
  /** Pass force: delete what is still in use, remove an alias a deployment follows. */
  "resources.force",
  /**
   * Scrape /metrics (docs/metrics.md): traffic and database figures of the whole registry, so
   * only on every model (a grant limited to some models does not give it).
   */
  "metrics.read",
  /**
   * Create, read, change and delete webhooks (docs/webhooks.md), and see their events in Watch and
   * the audit log. Only on every model: a webhook delivers from the whole registry.
   */
  "webhooks.manage",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * The built-in roles. approver does not include models.write on purpose: the person who
 * promotes a model to production need not be able to register one (separation of duties);
 * give both roles to someone who does both.
 */
export const ROLES: Readonly<Record<string, readonly Permission[]>> = {
  viewer: ["models.read"],
  editor: ["models.read", "models.write", "aliases.set"],
  approver: ["models.read", "aliases.set", "aliases.set_protected"],
  admin: PERMISSIONS,
  /** A Prometheus scraper: metrics only, no model data. */
  monitor: ["metrics.read"],
  /** Manages webhooks (and reads what they deliver), nothing else. */
  integrator: ["models.read", "webhooks.manage"],
};

/** The alias names only approvers may move when nothing else is configured. */
export const DEFAULT_PROTECTED_ALIASES: readonly string[] = ["production"];
