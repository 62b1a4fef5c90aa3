import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Event, EventSchema, EventType, type ResourceSnapshot } from "../../gen/modelregistry/v1/events_pb.js";
import { type CliContext, CliUsageError, intFlag, type ParsedArgs, positionals } from "./cli-context.js";
import { json, timeText } from "./format.js";
import { collectPages, getModel } from "./resolve.js";
import { formatTable, truncate } from "./table.js";

export const EVENTS_USAGE = `usage:
  model-registry events [--model MODEL] [--resource NAME] [--type TYPE]... [--resource-type TYPE]...
                        [--actor NAME] [--since TIME] [--until TIME] [--limit N] [--newest-first]

The audit log: every committed change, oldest first. TYPE is created, updated, state_changed,
deleted, alias_set or alias_deleted; --resource-type is RegisteredModel, ModelVersion, ....
TIME is an ISO 8601 time such as 2026-01-31 or 2026-01-31T14:00:00Z.

flags:
  --model MODEL            only this model and everything under it
  --resource NAME          only this resource, e.g. registeredModels/1/versions/2
  --type TYPE              only these event types (repeatable)
  --resource-type TYPE     only these resource types (repeatable)
  --actor NAME             only changes by this actor
  --since TIME, --until TIME  only changes in this time range
  --limit N                at most N events (default: all)
  --newest-first           newest first (default: oldest first)
`;

export const EVENTS_OPTIONS = {
  model: { type: "string" },
  resource: { type: "string" },
  type: { type: "string", multiple: true },
  "resource-type": { type: "string", multiple: true },
  actor: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  "newest-first": { type: "boolean" },
} as const;

/** `model-registry events`: the audit log (ListEvents) as a table. */
export async function eventsCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  positionals(args, [], EVENTS_USAGE);
  const model = args.values.model ? (await getModel(ctx.client, args.values.model as string)).name : "";
  const types = ((args.values.type as string[] | undefined) ?? []).map(eventType);
  const events = await collectPages(
    async (pageToken, pageSize) => {
      const res = await ctx.client.listEvents({
        pageToken,
        pageSize,
        registeredModel: model,
        resourceName: (args.values.resource as string) ?? "",
        resourceTypes: (args.values["resource-type"] as string[] | undefined) ?? [],
        types,
        actor: (args.values.actor as string) ?? "",
        startTime: time(args.values.since, "since"),
        endTime: time(args.values.until, "until"),
        orderBy: args.values["newest-first"] ? "revision desc" : "",
      });
      return { items: res.events, nextPageToken: res.nextPageToken };
    },
    intFlag(args.values.limit, "limit"),
  );
  if (ctx.json) return ctx.printJson(events.map((e) => json(EventSchema, e)));
  if (events.length === 0) return ctx.print("no events");
  ctx.print(
    formatTable(
      ["REVISION", "TIME", "TYPE", "RESOURCE", "WHAT", "ACTOR", "REASON"],
      events.map((e) => [e.revision.toString(), timeText(e.time), EventType[e.type], e.resourceName, describe(e), e.actor, truncate(e.reason, 40)]),
    ),
  );
}

/** A short human description of the changed resource. */
export function describe(e: Event): string {
  return describeSnapshot(e.resource);
}

/** A short human description of a resource: `model fraud-detector`, `fraud-detector v2`, `@production -> v2`. */
export function describeSnapshot(s: ResourceSnapshot | undefined): string {
  const r = s?.resource;
  if (!r?.case) return "";
  const v: Record<string, unknown> = r.value;
  switch (r.case) {
    case "registeredModel":
      return `model ${v.displayName}`;
    case "modelVersion":
      return `${v.registeredModelDisplayName} ${v.version}`;
    case "modelArtifact":
      return `artifact ${v.uri}`;
    default:
      if (typeof v.alias === "string") return `@${v.alias} -> ${v.version ?? ""}`;
      return typeof v.displayName === "string" ? v.displayName : "";
  }
}

function eventType(text: string): EventType {
  const key = text
    .toUpperCase()
    .replace(/^EVENT_TYPE_/, "")
    .replace(/-/g, "_");
  const byName: Record<string, number | string> = EventType;
  const value = byName[key];
  if (typeof value !== "number" || value === EventType.UNSPECIFIED) {
    const names = Object.keys(EventType).filter((k) => Number.isNaN(Number(k)) && k !== "UNSPECIFIED");
    throw new CliUsageError(`unknown event type "${text}" (${names.map((n) => n.toLowerCase()).join(", ")})`, EVENTS_USAGE);
  }
  return value;
}

function time(value: unknown, flag: string) {
  if (value === undefined) return undefined;
  const d = new Date(value as string);
  if (Number.isNaN(d.getTime())) throw new CliUsageError(`--${flag} must be an ISO 8601 time, got "${value}"`, EVENTS_USAGE);
  return timestampFromDate(d);
}
