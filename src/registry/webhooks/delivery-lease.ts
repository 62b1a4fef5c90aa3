import type { WebhookLease } from "../ports/webhook-store.js";
import type { StoreWriter } from "../ports/store.js";
import { type Registry, unitOf } from "../shared/registry.js";

/**
 * The delivery lease as use cases: one replica at a time delivers a webhook. A worker takes the
 * lease of each enabled webhook it may (none, expired, or its own) with one atomic statement,
 * renews what it holds by heartbeat, releases it on a clean stop, and every cursor save checks,
 * in its own transaction, that the lease is still its own and unexpired. Times come from the
 * registry's clock: replicas' clocks must agree within a fraction of the TTL.
 */

/** Who delivers, and for how long a lease lasts unrenewed. */
export interface DeliveryLease {
  owner: string;
  ttlMs: number;
}

/** The webhooks among `ids` this worker holds or may take now (no lease, expired, or its own), by what is stored. */
export async function claimableWebhooks(registry: Registry, lease: DeliveryLease, ids: number[]): Promise<number[]> {
  const now = unitOf(registry).now().getTime();
  const stored = new Map((await unitOf(registry).read((r) => r.webhooks.listLeases())).map((l) => [l.webhookId, l]));
  return ids.filter((id) => {
    const current = stored.get(id);
    return !current || current.owner === lease.owner || current.expireTime.getTime() <= now;
  });
}

/** Takes the leases of `ids` it may; returns the ones now held. */
export function acquireLeases(registry: Registry, lease: DeliveryLease, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const now = unitOf(registry).now();
  return unitOf(registry).write(async (w) => {
    const held: number[] = [];
    for (const id of ids) if (await w.webhooks.acquireLease(leaseOf(lease, id, now), now)) held.push(id);
    return held;
  });
}

/** The heartbeat: extends every lease the worker still has; returns their webhook ids. */
export function renewLeases(registry: Registry, lease: DeliveryLease): Promise<number[]> {
  const expire = new Date(unitOf(registry).now().getTime() + lease.ttlMs);
  return unitOf(registry).write((w) => w.webhooks.renewLeases(lease.owner, expire));
}

/** Gives leases up (all of them on a clean stop, so another replica takes over at once). */
export function releaseLeases(registry: Registry, lease: DeliveryLease, ids?: number[]): Promise<void> {
  return unitOf(registry).write((w) => w.webhooks.releaseLeases(lease.owner, ids));
}

/** Inside a write: whether the worker still holds the webhook's lease (then extended); if not, another replica delivers it. */
export function stillHeld(registry: Registry, w: StoreWriter, lease: DeliveryLease, webhookId: number): Promise<boolean> {
  const now = unitOf(registry).now();
  return w.webhooks.holdLease(leaseOf(lease, webhookId, now), now);
}

const leaseOf = (lease: DeliveryLease, webhookId: number, now: Date): WebhookLease => ({
  webhookId,
  owner: lease.owner,
  expireTime: new Date(now.getTime() + lease.ttlMs),
});
