import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@connectrpc/connect-query";
import { type FormEvent, useState } from "react";
import { EventType } from "../../../../gen/modelregistry/v1/events_pb.js";
import { rpc } from "../api/methods.js";
import { Empty, ErrorNote, Loading } from "../components/bits.js";
import { EventsTable, eventTypeLabel } from "../components/events-table.js";
import { Pager } from "../components/pager.js";
import { useLiveRefresh } from "../live/use-live-refresh.js";
import { setQuery, useLocation } from "../router.js";

const FIELDS = ["resource", "model", "actor", "type", "from", "to"] as const;
const TYPES = [EventType.CREATED, EventType.UPDATED, EventType.STATE_CHANGED, EventType.DELETED, EventType.ALIAS_SET, EventType.ALIAS_DELETED];

function time(value: string | null) {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? timestampFromDate(date) : undefined;
}

/** The audit log (ListEvents), newest first, filtered by resource, model, actor, type and time; the filters live in the URL. */
export function EventsPage() {
  const { query } = useLocation();
  const pageToken = query.get("page") ?? "";
  const type = Number(query.get("type") ?? "0");
  const start = time(query.get("from"));
  const end = time(query.get("to"));
  const list = useQuery(rpc.listEvents, {
    resourceName: query.get("resource") ?? "",
    registeredModel: query.get("model") ?? "",
    actor: query.get("actor") ?? "",
    types: type ? [type] : [],
    ...(start ? { startTime: start } : {}),
    ...(end ? { endTime: end } : {}),
    orderBy: "revision desc",
    pageSize: 50,
    pageToken,
  });
  const flashing = useLiveRefresh(() => pageToken === "");
  return (
    <section>
      <h1>Audit log</h1>
      <Filters key={query.toString()} query={query} />
      <ErrorNote error={list.error} what="Audit log" />
      {list.isPending ? <Loading /> : null}
      {list.data && list.data.events.length === 0 ? <Empty>No change matches these filters.</Empty> : null}
      {list.data && list.data.events.length > 0 ? <EventsTable events={list.data.events} flashing={flashing} /> : null}
      <Pager token={pageToken} next={list.data?.nextPageToken ?? ""} />
    </section>
  );
}

function Filters({ query }: { query: URLSearchParams }) {
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(FIELDS.map((f) => [f, query.get(f) ?? ""])));
  const field = (key: (typeof FIELDS)[number], label: string, placeholder: string, type = "text") => (
    <label>
      {label} <input type={type} value={values[key]} placeholder={placeholder} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </label>
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ ...values, page: undefined });
  };
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Filter the audit log">
      {field("resource", "Resource", "registeredModels/1/versions/2")}
      {field("model", "Model", "registeredModels/1")}
      {field("actor", "Actor", "pipeline@acme.com")}
      <label>
        Type{" "}
        <select value={values.type} onChange={(e) => setValues({ ...values, type: e.target.value })}>
          <option value="">any</option>
          {TYPES.map((t) => (
            <option key={t} value={String(t)}>
              {eventTypeLabel(t)}
            </option>
          ))}
        </select>
      </label>
      {field("from", "From", "", "datetime-local")}
      {field("to", "To", "", "datetime-local")}
      <button type="submit" className="primary">
        Apply
      </button>
    </form>
  );
}
