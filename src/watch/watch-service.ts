import { InvalidArgumentError } from "../registry/core/errors.js";
import type { Registry } from "../registry/shared/registry.js";
import type { RegistryEvent, Resource } from "../registry/core/types.js";
import { readRetainedRange } from "../registry/events/watch-reads.js";
import { compacted, inFuture } from "../registry/events/revision-range.js";
import type { WatchOutput, WatchStart } from "./delivery.js";
import { initialTypes, readInitialSnapshot } from "./initial-snapshot.js";
import { sinkStream, type WatchSink } from "./sink.js";
import type { WatchHub } from "./watch-hub.js";
import { eventMatcher, parseResourceTypes, parseWatchFilter, type WatchSelection } from "./watch-query.js";
import { getModel } from "../registry/models/models.js";

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

export type { WatchOutput };

export interface WatchServiceOptions {
  /** Progress after this long without output (default 5000 ms). */
  progressIntervalMs?: number;
  /** Most objects send_initial streams (default 100000). */
  maxInitialObjects?: number;
}

export interface WatchSignals {
  /** The client's cancellation. */
  signal: AbortSignal;
  /** Server shutdown: the stream fails with UNAVAILABLE so clients reconnect at once. */
  shutdownSignal?: AbortSignal;
  /** The caller's credentials were revoked: the stream fails with the signal's reason (DeliveryOptions.revokedSignal). */
  revokedSignal?: AbortSignal;
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

  /**
   * Runs a watch into a sink: resolves when the client cancels, rejects when the stream must
   * fail (bad request, shutdown, revoked credentials, compaction).
   */
  async watchInto(request: WatchRequest, sink: WatchSink<WatchOutput<F>>, signals: WatchSignals): Promise<void> {
    const selection = await this.select(request);
    const subscription = this.hub.subscribe({
      matches: eventMatcher(selection),
      scope: { modelId: selection.modelId, resourceTypes: selection.types ?? undefined },
    });
    try {
      let start: WatchStart;
      if (request.sendInitial) {
        const read = () => readInitialSnapshot(this.registry, selection, this.maxInitialObjects);
        start = { kind: "snapshot", read, ...(request.mayRead ? { admit: request.mayRead } : {}) };
      } else {
        if (request.startRevision !== undefined) await this.checkResumable(request.startRevision);
        start = { kind: "after", revision: request.startRevision ?? subscription.liveFrom };
      }
      const admit = request.mayRead ? readableBy(request.mayRead) : undefined;
      await subscription.run(sink, start, { ...signals, progressIntervalMs: this.progressIntervalMs, ...(admit ? { admit } : {}) });
    } finally {
      subscription.close();
    }
  }

  /** The same watch as an async generator (a sinkStream). */
  watch(request: WatchRequest, signals: WatchSignals): AsyncGenerator<WatchOutput<F>> {
    return sinkStream((sink) => this.watchInto(request, sink, signals));
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
      modelId = "id" in ref ? ref.id : (await getModel(this.registry, ref)).id;
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
      throw inFuture(start, current);
    }
  }
}

/** Whether the caller may read an event's resource, before or after the change. */
function readableBy(mayRead: (resource: Resource) => Promise<boolean>): (event: RegistryEvent) => Promise<boolean> {
  return async ({ resource, previous }) => (await mayRead(resource)) || (previous !== null && (await mayRead(previous)));
}
