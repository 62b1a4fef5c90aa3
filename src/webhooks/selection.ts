import type { RegistryEvent, Webhook } from "../registry/core/types.js";
import type { EventScope } from "../registry/events/watch-reads.js";
import { eventMatcher, parseEventTypes, parseResourceTypes, parseWatchFilter } from "../watch/watch-query.js";

/** What a webhook selects, in the Watch language (its checks ran when it was saved). */
export interface WebhookSelection {
  /** The rows of the event log to read (filtered in SQL). */
  scope: EventScope;
  matches(event: RegistryEvent): boolean;
}

export function webhookSelection(webhook: Webhook): WebhookSelection {
  const types = parseResourceTypes(webhook.resourceTypes, "webhook.resource_types");
  const eventTypes = parseEventTypes(webhook.eventTypes, "webhook.event_types");
  const matcher = eventMatcher({
    types,
    filter: parseWatchFilter(webhook.filter, types),
    ...(webhook.modelId !== null ? { modelId: webhook.modelId } : {}),
  });
  const wanted = eventTypes ? new Set<string>(eventTypes) : null;
  return {
    scope: { ...(webhook.modelId !== null ? { modelId: webhook.modelId } : {}), ...(types ? { resourceTypes: types } : {}) },
    matches: (event) => (!wanted || wanted.has(event.type)) && matcher(event),
  };
}
