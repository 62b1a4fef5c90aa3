import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../logger.js";
import { acquireLeases, claimableWebhooks, type DeliveryLease, releaseLeases, renewLeases } from "../registry/webhooks/delivery-lease.js";
import type { Registry } from "../registry/shared/registry.js";

/** How long a lease lasts unrenewed (default): a dead replica's webhooks move after about this long. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/**
 * The leases one delivery worker holds (docs/webhooks.md, Delivery): its owner id names the host
 * and process (so an operator can tell who delivers a webhook) and a random part (a restarted
 * process is a new owner). It takes the free or expired lease of each enabled webhook, renews
 * what it holds every third of the TTL, forgets a lease the heartbeat no longer finds (another
 * replica took it), and releases everything on a clean stop. Every statement is short; none is
 * held across an HTTP call.
 */
export class LeaseKeeper {
  readonly lease: DeliveryLease;
  private readonly held = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly logger: Logger,
    ttlMs = DEFAULT_LEASE_TTL_MS,
  ) {
    this.lease = { owner: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`, ttlMs };
  }

  holds(id: number): boolean {
    return this.held.has(id);
  }

  /** Forgets a lease without touching the database (a save found it no longer ours, or the webhook gone). */
  drop(id: number): void {
    this.held.delete(id);
  }

  /** Of the enabled webhooks `ids`, the ones this worker delivers now: takes the leases it may, gives up those of webhooks no longer enabled. */
  async claim(ids: number[]): Promise<number[]> {
    const enabled = new Set(ids);
    const gone = [...this.held].filter((id) => !enabled.has(id));
    if (gone.length > 0) {
      await releaseLeases(this.registry, this.lease, gone);
      for (const id of gone) this.held.delete(id);
    }
    const free = await claimableWebhooks(
      this.registry,
      this.lease,
      ids.filter((id) => !this.held.has(id)),
    );
    for (const id of await acquireLeases(this.registry, this.lease, free)) this.held.add(id);
    return ids.filter((id) => this.held.has(id));
  }

  start(): void {
    const interval = Math.max(1, Math.floor(this.lease.ttlMs / 3));
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = null;
      });
    }, interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    try {
      await releaseLeases(this.registry, this.lease);
    } catch (error) {
      this.logger.warn("webhook delivery: releasing leases failed; they expire", { err: error });
    }
    this.held.clear();
  }

  private async beat(): Promise<void> {
    // Nothing held, nothing to renew: an idle server does not write.
    if (this.held.size === 0) return;
    const before = [...this.held];
    try {
      const renewed = new Set(await renewLeases(this.registry, this.lease));
      const lost = before.filter((id) => !renewed.has(id));
      for (const id of lost) this.held.delete(id);
      if (lost.length > 0) this.logger.info("webhook delivery: leases taken by another replica", { webhooks: lost });
    } catch (error) {
      this.logger.warn("webhook delivery: renewing leases failed", { err: error });
    }
  }
}
