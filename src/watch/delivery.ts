import type { RegistryEvent, Resource } from "../registry/core/types.js";

/* What a subscription (src/watch/subscription.ts) delivers, its states, where it starts and what ends it. */

/** A committed event with its frame, built once by the hub and shared by every subscriber. */
export interface HubEvent<F> {
  kind: "event";
  event: RegistryEvent;
  frame: F;
}

/** Matching events in revision order, and resumable positions. */
export type WatchItem<F> = HubEvent<F> | { kind: "progress"; revision: number };

/** What a watch stream carries, in order: [initial objects, synced], then events and progress. */
export type WatchOutput<F> = WatchItem<F> | { kind: "initial"; resource: Resource } | { kind: "synced"; revision: number };

/** Where delivery starts: the current objects read in one snapshot, or the events after a revision. */
export type WatchStart =
  | { kind: "snapshot"; read: () => Promise<{ revision: number; resources: Resource[] }>; admit?: (resource: Resource) => Promise<boolean> }
  | { kind: "after"; revision: number };

export interface DeliveryOptions {
  /** The client's cancellation: delivery then just ends. */
  signal: AbortSignal;
  /** Server shutdown: delivery then fails with ShuttingDownError (UNAVAILABLE). */
  shutdownSignal?: AbortSignal;
  /** Credentials revoked (src/auth/stream-access.ts): delivery fails with the signal's reason, sending nothing more. */
  revokedSignal?: AbortSignal;
  /** A progress item after this long without output. */
  progressIntervalMs: number;
  /** Leaves out events the caller may not read (checked per event, so such watches never deliver from the hub's wake-up). */
  admit?: (event: RegistryEvent) => Promise<boolean>;
}

/**
 * Where a subscription stands, after etcd's watchable_store: `live` is synced (it delivers its
 * queue), `lagging` a victim (its queue overflowed, or it starts in the past: live events are
 * dropped until a catch-up begins), `catching-up` unsynced (it reads the log after `from` while
 * live events queue up again). `snapshot`: registered, live events queue up while the watch
 * reads what comes before them (its initial objects, or where it resumes).
 */
export type SubscriptionState =
  | { kind: "snapshot" }
  | { kind: "live" }
  | { kind: "lagging" }
  | { kind: "catching-up"; from: number }
  | { kind: "ended"; reason: "closed" | "cancelled" };

export const LIVE: SubscriptionState = { kind: "live" };
export const LAGGING: SubscriptionState = { kind: "lagging" };
