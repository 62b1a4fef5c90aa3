import { InvalidArgumentError, OutOfRangeError } from "../registry/errors.js";
import type { Registry } from "../registry/registry.js";
import type { Resource } from "../registry/types.js";
import { readRetainedRange } from "../registry/watch-reads.js";
import { initialTypes, readInitialSnapshot } from "./initial-snapshot.js";
import { compacted } from "./compacted.js";
import type { StreamOptions, WatchItem } from "./subscription.js";
import type { WatchHub } from "./watch-hub.js";
import { eventMatcher, parseResourceTypes, parseWatchFilter, type WatchSelection } from "./watch-query.js";

/** A watch as the API hands it over. */
export interface WatchRequest {
  /** Resource type names; empty: every type. */
  resourceTypes: readonly string[];
  /** Only this model and everything under it. */
  model?: { id: number } | { displayName: string };
  filter: string;
  /** The last revision the client has seen; undefined: from now. */
  startRevision?: number;
  sendInitial: boolean;
  /**
   * Set for callers who may read only some models (see src/auth/read-filter.ts): resources and
   * events it rejects are left out of the stream, initial objects included.
   */
  mayRead?: (resource: Resource) => Promise<boolean>;
}

/** What a watch stream carries, in order: [initial objects, synced], then events and progress. */
export type WatchOutput<F> = WatchItem<F> | { kind: "initial"; resource: Resource } | { kind: "synced"; revision: number };

export interface WatchServiceOptions {
  /** Progress after this long without output (default 5000 ms). */
  progressIntervalMs?: number;
  /** Most objects send_initial streams (default 100000). */
  maxInitialObjects?: number;
}

export interface WatchSignals<F = unknown> {
  /** The client's cancellation. */
  signal: AbortSignal;
  /** Server shutdown: the stream fails with UNAVAILABLE so clients reconnect at once. */
  shutdownSignal?: AbortSignal;
  /** The caller's credentials were revoked: the stream fails with the signal's reason (StreamOptions.revokedSignal). */
  revokedSignal?: AbortSignal;
  /** Direct delivery of live events to the transport (see StreamOptions.deliver); not used with mayRead. */
  deliver?: StreamOptions<F>["deliver"];
}

/**
 * The Watch use case: the Kubernetes list-then-watch contract over the hub. A stream first
 * registers with the hub (so nothing committed from then on can be missed), then reads what it
 * needs before that (the initial objects, or the log after start_revision), then goes live,
 * dropping what it already sent.
 */
export class WatchService<F> {
  readonly progressIntervalMs: number;
  readonly maxInitialObjects: number;

  constructor(
    private readonly registry: Registry,
    readonly hub: WatchHub<F>,
    options: WatchServiceOptions = {},
  ) {
    this.progressIntervalMs = options.progressIntervalMs ?? 5000;
    this.maxInitialObjects = options.maxInitialObjects ?? 100_000;
  }

  async *watch(request: WatchRequest, signals: WatchSignals<F>): AsyncGenerator<WatchOutput<F>> {
    const selection = await this.select(request);
    const subscription = this.hub.subscribe({
      matches: eventMatcher(selection),
      scope: { modelId: selection.modelId, resourceTypes: selection.types ?? undefined },
    });
    try {
      if (request.sendInitial) {
        const snapshot = await readInitialSnapshot(this.registry, selection, this.maxInitialObjects);
        for (const resource of snapshot.resources) {
          if (signals.revokedSignal?.aborted) throw signals.revokedSignal.reason;
          if (!request.mayRead || (await request.mayRead(resource))) yield { kind: "initial", resource };
        }
        yield { kind: "synced", revision: snapshot.revision };
        subscription.startAfter(snapshot.revision);
      } else {
        const start = request.startRevision ?? subscription.liveFrom;
        if (request.startRevision !== undefined) await this.checkResumable(request.startRevision);
        subscription.startAfter(start);
        // Tells the client the watch is established and where it stands.
        yield { kind: "progress", revision: start };
      }
      // Events a caller may not read are filtered per event, so they never take the direct path.
      const { deliver, ...rest } = signals;
      const items = subscription.items({ ...rest, progressIntervalMs: this.progressIntervalMs, ...(deliver && !request.mayRead ? { deliver } : {}) });
      yield* request.mayRead ? readableItems(items, request.mayRead) : items;
    } finally {
      subscription.close();
    }
  }

  /** Validates the request and resolves the model. */
  private async select(request: WatchRequest): Promise<WatchSelection> {
    const types = parseResourceTypes(request.resourceTypes);
    const filter = parseWatchFilter(request.filter, types);
    if (request.startRevision !== undefined) {
      if (!Number.isSafeInteger(request.startRevision) || request.startRevision < 0) {
        throw InvalidArgumentError.field("start_revision", "must not be negative");
      }
      if (request.sendInitial) {
        throw InvalidArgumentError.field("start_revision", "cannot be combined with send_initial, which starts from the current state");
      }
    }
    let modelId: number | undefined;
    if (request.model) {
      const ref = request.model;
      modelId = "id" in ref ? ref.id : (await this.registry.getModel(ref)).id;
    }
    const selection: WatchSelection = { types, modelId, filter };
    if (request.sendInitial) initialTypes(selection);
    return selection;
  }

  /** start_revision must be retained and not in the future. */
  private async checkResumable(start: number): Promise<void> {
    const { current, compactedRevision } = await readRetainedRange(this.registry);
    if (start < compactedRevision) throw compacted(start, compactedRevision);
    if (start > current) {
      throw new OutOfRangeError(`start_revision ${start} is newer than the current revision ${current}`, "REVISION_IN_FUTURE", {
        requested_revision: String(start),
        current_revision: String(current),
      });
    }
  }
}

/** Leaves out events whose resource the caller may not read, before and after the change. */
async function* readableItems<F>(
  items: AsyncGenerator<WatchItem<F>>,
  mayRead: (resource: Resource) => Promise<boolean>,
): AsyncGenerator<WatchItem<F>> {
  for await (const item of items) {
    if (item.kind === "event") {
      const { resource, previous } = item.event;
      if (!(await mayRead(resource)) && !(previous !== null && (await mayRead(previous)))) continue;
    }
    yield item;
  }
}
