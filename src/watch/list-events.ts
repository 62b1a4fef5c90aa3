import { InvalidArgumentError } from "../registry/core/errors.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../registry/shared/list-query.js";
import { queryDigest } from "../registry/shared/page-token.js";
import type { Registry } from "../registry/shared/registry.js";
import { type EventLogPage, readEventLog } from "../registry/events/watch-reads.js";
import { parseEventTypes, parseResourceTypes } from "./watch-query.js";

/** A ListEvents request as the API hands it over; empty strings mean "any". */
export interface ListEventsInput {
  pageSize: number;
  pageToken: string;
  resourceName: string;
  modelId?: number;
  resourceTypes: readonly string[];
  types: readonly string[];
  actor: string;
  since?: Date;
  until?: Date;
  orderBy: string;
}

export type EventsPage = EventLogPage;

/**
 * The audit log: events filtered by resource, model, type, actor and time, in keyset pages over
 * the revision (oldest first, or newest first with order_by "revision desc"). The page token is
 * bound to the filters and order like every list token.
 */
export async function listEvents(registry: Registry, input: ListEventsInput): Promise<EventsPage> {
  if (!Number.isInteger(input.pageSize) || input.pageSize < 0) {
    throw InvalidArgumentError.field("page_size", "must not be negative", "INVALID_PAGE_SIZE");
  }
  const limit = input.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(input.pageSize, MAX_PAGE_SIZE);
  const descending = parseOrder(input.orderBy);
  const resourceTypes = parseResourceTypes(input.resourceTypes) ?? undefined;
  const types = parseEventTypes(input.types) ?? undefined;
  if (input.since && input.until && input.since.getTime() >= input.until.getTime()) {
    throw InvalidArgumentError.field("end_time", "must be after start_time");
  }
  if (input.resourceName.length > 1024) throw InvalidArgumentError.field("resource_name", "is longer than 1024 characters");
  if (input.actor.length > 255) throw InvalidArgumentError.field("actor", "is longer than 255 characters");

  const query = {
    descending,
    modelId: input.modelId,
    resourceTypes,
    types,
    resourceName: input.resourceName || undefined,
    actor: input.actor || undefined,
    since: input.since,
    until: input.until,
  };
  const digest = queryDigest(
    "events",
    JSON.stringify([query.modelId ?? null, resourceTypes ?? [], types ?? [], query.resourceName ?? "", query.actor ?? ""]),
    JSON.stringify([input.since?.getTime() ?? null, input.until?.getTime() ?? null]),
    descending ? "desc" : "asc",
  );
  return readEventLog(registry, query, limit, { token: input.pageToken, digest });
}

/** order_by: "revision" / "revision asc" (default) or "revision desc". */
function parseOrder(orderBy: string): boolean {
  const normalised = orderBy.trim().toLowerCase().replace(/\s+/g, " ");
  if (normalised === "" || normalised === "revision" || normalised === "revision asc") return false;
  if (normalised === "revision desc") return true;
  throw InvalidArgumentError.field("order_by", `unsupported ordering "${orderBy}": use "revision" or "revision desc"`, "INVALID_ORDER_BY");
}
