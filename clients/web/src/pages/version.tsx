import { useQuery } from "@connectrpc/connect-query";
import { type ReactNode, useState } from "react";
import type { ExperimentRun } from "../../../../gen/modelregistry/v1/lineage_pb.js";
import { ArtifactState } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { mayMoveAlias, useCaller } from "../api/caller.js";
import { rpc } from "../api/methods.js";
import { SetAliasDialog } from "../actions/set-alias.js";
import { AliasTag, ErrorNote, Head, Loading, Mono, Overview, StateChip, Time } from "../components/bits.js";
import { LineChart } from "../components/chart.js";
import { EventsTable } from "../components/events-table.js";
import { PropertiesTable } from "../components/properties.js";
import { useLiveRefresh } from "../live/use-live-refresh.js";
import { hrefOf, Link } from "../router.js";
import { DeploymentsTable } from "./model.js";

/** One version: artifacts, metadata, lineage (run, parameters, metric history, datasets), aliases, deployments, history. */
export function VersionPage({ model, version }: { model: string; version: string }) {
  const name = `registeredModels/${model}/versions/${version}`;
  const lineage = useQuery(rpc.getLineage, { name });
  const modelRes = useQuery(rpc.getRegisteredModel, { name: `registeredModels/${model}` });
  const events = useQuery(rpc.listEvents, { resourceName: name, orderBy: "revision desc", pageSize: 50 });
  const [aliasing, setAliasing] = useState(false);
  const caller = useCaller();
  const flashing = useLiveRefresh((e) => e.registeredModel === `registeredModels/${model}` && e.resourceName.startsWith(name));
  if (lineage.error) return <ErrorNote error={lineage.error} what="Version" />;
  const data = lineage.data;
  const v = data?.modelVersion;
  if (!data || !v) return <Loading />;
  const parent = modelRes.data?.registeredModel;
  const facts: Array<[string, ReactNode]> = [
    ["Author", v.author || "—"],
    ["Registered", <Time key="r" value={v.createTime} />],
  ];
  return (
    <section>
      <p className="muted small">
        <Link href={hrefOf(v.registeredModel)}>{v.registeredModelDisplayName}</Link> / versions
      </p>
      <div className="page-head">
        <h1 className={flashing.has(name) ? "flash" : undefined}>
          {v.registeredModelDisplayName} {v.version}
        </h1>
        <StateChip state={v.state} />
        {v.aliases.map((a) => (
          <AliasTag key={a} alias={a} />
        ))}
        <span className="actions">
          {parent && mayMoveAlias(caller, parent.displayName, "") ? (
            <button type="button" onClick={() => setAliasing(true)}>
              Set alias…
            </button>
          ) : null}
        </span>
      </div>
      <Overview name={v.name} description={v.description} facts={facts} />
      <h2>Artifacts</h2>
      <table className="grid">
        <Head columns={["URI", "Format", "State", "Storage", "Digest"]} />
        <tbody>
          {data.modelArtifacts.map((a) => (
            <tr key={a.name}>
              <td>
                <Mono value={a.uri} copy />
              </td>
              <td>
                {a.modelFormatName} {a.modelFormatVersion}
              </td>
              <td>{ArtifactState[a.state] ?? ""}</td>
              <td>
                <Mono value={[a.storageKey, a.storagePath].filter((s) => s !== "").join(" ")} />
              </td>
              <td>
                <Mono value={a.digest} copy />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="columns">
        <div>
          <h2>Metadata</h2>
          <PropertiesTable properties={v.customProperties} />
        </div>
        <div>
          <h2>Lineage</h2>
          <dl className="facts">
            <dt>Experiment</dt>
            <dd>{data.experiment?.displayName ?? "—"}</dd>
            <dt>Run</dt>
            <dd>{data.experimentRun ? <Mono value={data.experimentRun.name} copy /> : "—"}</dd>
            <dt>Pipeline run</dt>
            <dd>{v.source?.pipelineRunId ? <Mono value={v.source.pipelineRunId} copy /> : "—"}</dd>
            <dt>Code</dt>
            <dd>{v.source?.codeCommit ? <Mono value={v.source.codeCommit} copy /> : "—"}</dd>
            <dt>Datasets</dt>
            <dd>
              {data.datasets.length === 0
                ? "—"
                : data.datasets.map((d) => (
                    <div key={`${d.name}-${d.uri}`}>
                      {d.name} {d.context ? <span className="muted">({d.context})</span> : null} <Mono value={d.uri} copy />
                    </div>
                  ))}
            </dd>
          </dl>
          {data.experimentRun ? <RunDetails run={data.experimentRun} /> : null}
        </div>
      </div>
      <h2>Deployments</h2>
      <DeploymentsTable modelVersion={name} />
      <h2>History</h2>
      <ErrorNote error={events.error} what="History" />
      {events.data ? <EventsTable events={events.data.events} flashing={flashing} /> : null}
      {aliasing && parent ? <SetAliasDialog model={parent} alias="" current="" target={name} onClose={() => setAliasing(false)} /> : null}
    </section>
  );
}

/** The run's parameters, and the history of one of its metrics as a chart. */
function RunDetails({ run }: { run: ExperimentRun }) {
  const keys = Object.keys(run.metrics).sort();
  const [key, setKey] = useState(keys[0] ?? "");
  const history = useQuery(
    rpc.listExperimentRunMetricHistory,
    { parent: run.name, filter: `key = ${JSON.stringify(key)}`, pageSize: 1000 },
    { enabled: key !== "" },
  );
  const points = (history.data?.metrics ?? []).map((m) => ({ x: Number(m.step), y: m.value }));
  return (
    <>
      <h2>Parameters</h2>
      <PropertiesTable properties={run.params} />
      {keys.length > 0 ? (
        <>
          <h2>Metric history</h2>
          <label>
            Metric{" "}
            <select value={key} onChange={(e) => setKey(e.target.value)}>
              {keys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <ErrorNote error={history.error} what="Metric history" />
          <LineChart title={`${key} by step`} series={[{ label: key, points }]} />
        </>
      ) : null}
    </>
  );
}
