import { type Event, EventType } from "../../../../gen/modelregistry/v1/events_pb.js";
import { hrefOf, Link } from "../router.js";
import { Head, Mono, Time } from "./bits.js";

/** "alias set" for EVENT_TYPE_ALIAS_SET. */
export function eventTypeLabel(type: EventType): string {
  return (EventType[type] ?? String(type)).toLowerCase().replaceAll("_", " ");
}

/** What changed, in a few words: an alias move names both versions. */
function summary(event: Event): string {
  const now = event.resource?.resource;
  const before = event.previous?.resource;
  if (now?.case === "alias") {
    const from = before?.case === "alias" ? before.value.version : "";
    return `@${now.value.alias} → ${now.value.version}${from ? ` (was ${from})` : ""}`;
  }
  if (now?.case === "modelVersion") return `${now.value.registeredModelDisplayName} ${now.value.version}`;
  if (now?.case === "registeredModel") return now.value.displayName;
  if (now?.case === "modelArtifact") return now.value.uri;
  return "";
}

/** The audit log's rows, newest first: who did what, when and why. */
export function EventsTable({ events, flashing }: { events: Event[]; flashing?: ReadonlySet<string> }) {
  return (
    <table className="grid">
      <Head columns={[{ label: "Revision", num: true }, "When", "What", "Resource", "Change", "Actor", "Reason"]} />
      <tbody>
        {events.map((event) => (
          <tr key={event.revision.toString()} className={flashing?.has(event.resourceName) ? "flash" : undefined}>
            <td className="num">{event.revision.toString()}</td>
            <td>
              <Time value={event.time} />
            </td>
            <td>
              {event.resourceType} {eventTypeLabel(event.type)}
            </td>
            <td>
              {event.resourceName.startsWith("registeredModels/") ? (
                <Link href={hrefOf(event.resourceName)} className="mono">
                  {event.resourceName}
                </Link>
              ) : (
                <Mono value={event.resourceName} />
              )}
            </td>
            <td>
              <span className="truncate" title={summary(event)}>
                {summary(event)}
              </span>
            </td>
            <td>{event.actor}</td>
            <td>
              <span className="truncate" title={event.reason}>
                {event.reason}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
