import { type EventPage, type EventScope, readEventPage } from "../registry/events/watch-reads.js";
import type { Registry } from "../registry/shared/registry.js";

/**
 * Event pages read once for every webhook that needs the same one: after a commit, each webhook
 * selecting its resource type reads the page after the same cursor at about the same time. Pages
 * are shared within a generation, which the worker starts at each look at the webhooks (a
 * commit, the poll, a retry's timer): a page read in the current generation was read after the
 * look that woke any drain asking for it, so it holds every commit that drain was woken for.
 */
export class SharedEventPages {
  private pages = new Map<string, Promise<EventPage>>();

  constructor(private readonly registry: Registry) {}

  /** A new generation: pages read before now are not shared any more. */
  next(): void {
    if (this.pages.size > 0) this.pages = new Map();
  }

  read(after: number, scope: EventScope, limit: number): Promise<EventPage> {
    const key = `${after} ${limit} ${scope.modelId ?? ""} ${(scope.resourceTypes ?? []).join(",")}`;
    let page = this.pages.get(key);
    if (!page) {
      const pages = this.pages;
      page = readEventPage(this.registry, after, scope, limit);
      // A failed read is not shared: the next caller tries again.
      page.catch(() => pages.delete(key));
      pages.set(key, page);
    }
    return page;
  }
}
