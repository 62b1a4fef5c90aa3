import type { ReactNode } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { State } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { may, useCaller } from "../api/caller.js";
import { rpc } from "../api/methods.js";
import { ArchiveButton } from "../actions/archive.js";
import { EditModelButton } from "../actions/edit-model.js";
import { AliasTag, ErrorNote, Head, Labels, Loading, Mono, Overview, StateChip, Time } from "../components/bits.js";
import { EventsTable } from "../components/events-table.js";
import { Markdown } from "../components/markdown.js";
import { Pager } from "../components/pager.js";
import { useLiveRefresh } from "../live/use-live-refresh.js";
import { setQuery, useLocation } from "../router.js";
import { AliasesTab } from "./model-aliases.js";
import { VersionsTab } from "./model-versions.js";

const TABS = [
  ["versions", "Versions"],
  ["aliases", "Aliases"],
  ["deployments", "Deployments"],
  ["activity", "Activity"],
  ["readme", "README"],
] as const;

/** One model: its header and actions, then versions (with metric columns), aliases, deployments and activity. */
export function ModelPage({ id }: { id: string }) {
  const name = `registeredModels/${id}`;
  const { query } = useLocation();
  const tab = query.get("tab") ?? "versions";
  const model = useQuery(rpc.getRegisteredModel, { name });
  const flashing = useLiveRefresh((e) => e.registeredModel === name);
  const caller = useCaller();
  if (model.error) return <ErrorNote error={model.error} what="Model" />;
  const m = model.data?.registeredModel;
  if (!m) return <Loading />;
  const facts: Array<[string, ReactNode]> = [
    ["Created", <Time key="c" value={m.createTime} />],
    ["Updated", <Time key="u" value={m.updateTime} />],
  ];
  return (
    <section>
      <div className="page-head">
        <h1 className={flashing.has(name) ? "flash" : undefined}>{m.displayName}</h1>
        <StateChip state={m.state} />
        <span className="muted">owner {m.owner || "—"}</span>
        <Labels labels={m.labels} />
        {may(caller, "models.write", m.displayName) ? (
          <span className="actions">
            <EditModelButton model={m} />
            <ArchiveButton model={m} />
          </span>
        ) : null}
      </div>
      <Overview name={m.name} description={m.description} facts={facts} />
      {m.state === State.ARCHIVED ? <p className="muted">Archived: no new versions may be registered until it is restored.</p> : null}
      <div className="tabs" role="tablist" aria-label="Model">
        {TABS.filter(([key]) => key !== "readme" || m.readme !== "").map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            onClick={() => setQuery({ tab: key === "versions" ? undefined : key }, { replace: true })}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === "versions" ? <VersionsTab model={m} flashing={flashing} /> : null}
        {tab === "aliases" ? <AliasesTab model={m} /> : null}
        {tab === "deployments" ? <DeploymentsTable filter={`registered_model_id = ${m.id}`} /> : null}
        {tab === "activity" ? <Activity model={name} flashing={flashing} /> : null}
        {tab === "readme" ? <Markdown text={m.readme} /> : null}
      </div>
    </section>
  );
}

function Activity({ model, flashing }: { model: string; flashing: ReadonlySet<string> }) {
  const { query } = useLocation();
  const pageToken = query.get("epage") ?? "";
  const events = useQuery(rpc.listEvents, { registeredModel: model, orderBy: "revision desc", pageSize: 50, pageToken });
  if (events.error) return <ErrorNote error={events.error} what="Activity" />;
  if (!events.data) return <Loading />;
  return (
    <>
      <EventsTable events={events.data.events} flashing={flashing} />
      <Pager token={pageToken} next={events.data.nextPageToken} param="epage" />
    </>
  );
}

/** Inference services, from every serving environment, of a model (filter) or a version (modelVersion). */
export function DeploymentsTable({ filter = "", modelVersion = "" }: { filter?: string; modelVersion?: string }) {
  const list = useQuery(rpc.listInferenceServices, { parent: "servingEnvironments/-", filter, modelVersion, pageSize: 100 });
  if (list.error) return <ErrorNote error={list.error} what="Deployments" />;
  if (!list.data) return <Loading />;
  const services = list.data.inferenceServices;
  if (services.length === 0) return <p className="muted">Not deployed: no inference service serves it.</p>;
  return (
    <table className="grid">
      <Head columns={["Service", "Environment", "Target version", "Follows", "Desired", "Serving (reported)", "Ready", "Reported"]} />
      <tbody>
        {services.map((s) => (
          <tr key={s.name}>
            <td>{s.displayName}</td>
            <td>
              <Mono value={s.servingEnvironment} />
            </td>
            <td>
              <Mono value={s.targetModelVersion} />
            </td>
            <td>{s.alias ? <AliasTag alias={s.alias} /> : s.modelVersion ? "pinned" : "latest"}</td>
            <td>{s.desiredState === 1 ? "DEPLOYED" : s.desiredState === 2 ? "UNDEPLOYED" : "—"}</td>
            <td>
              <Mono value={s.status?.servingModelVersion ?? ""} />
            </td>
            <td>{s.status ? (s.status.ready ? "yes" : "no") : "—"}</td>
            <td>
              <Time value={s.status?.reportTime} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
