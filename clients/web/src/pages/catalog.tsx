import { useQuery } from "@connectrpc/connect-query";
import { type FormEvent, useState } from "react";
import { RegisteredModelView } from "../../../../gen/modelregistry/v1/model_registry_service_pb.js";
import type { RegisteredModel } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { rpc } from "../api/methods.js";
import { AliasTag, Empty, ErrorNote, Head, Labels, Loading, StateChip, Time } from "../components/bits.js";
import { Pager } from "../components/pager.js";
import { useLiveRefresh } from "../live/use-live-refresh.js";
import { hrefOf, Link, setQuery, useLocation } from "../router.js";

const SORTS: Array<[string, string]> = [
  ["update_time desc", "Recently updated"],
  ["create_time desc", "Newest"],
  ["create_time", "Oldest"],
  ["display_name", "Name A–Z"],
  ["display_name desc", "Name Z–A"],
];
const PAGE_SIZE = 50;

/**
 * The one call of a catalog page, from the URL's query: the FULL view, so each model's latest
 * version and aliases come with the page. main.tsx sends it before the first render.
 */
export function catalogRequest(query: URLSearchParams) {
  return {
    filter: query.get("filter") ?? "",
    orderBy: query.get("sort") ?? "update_time desc",
    pageToken: query.get("page") ?? "",
    pageSize: PAGE_SIZE,
    view: RegisteredModelView.FULL,
  };
}

/** The models: search with the filter language, sort, keyset pages, state and labels, latest version and aliases. */
export function CatalogPage() {
  const { query } = useLocation();
  const request = catalogRequest(query);
  const { filter, orderBy, pageToken } = request;
  const list = useQuery(rpc.listRegisteredModels, request);
  const flashing = useLiveRefresh(
    (e) => e.registeredModel !== "" && (e.resourceType === "RegisteredModel" || e.resourceType === "ModelVersion" || e.resourceType === "Alias"),
  );
  const addFilter = (clause: string) => setQuery({ filter: filter ? `${filter} AND ${clause}` : clause, page: undefined });
  const models = list.data?.registeredModels ?? [];
  return (
    <section>
      <h1>Models</h1>
      <SearchBar filter={filter} orderBy={orderBy} error={list.error} />
      {list.isPending ? <Loading /> : null}
      {list.data && models.length === 0 ? (
        filter ? (
          <Empty>No model matches this filter.</Empty>
        ) : (
          <Empty command="npx model-registry register fraud-detector --version v1 --uri s3://bucket/model.onnx">
            No models yet. Register the first one from a pipeline, the CLI or the Python SDK:
          </Empty>
        )
      ) : null}
      {models.length > 0 ? (
        <table className="grid">
          <Head columns={["Name", "Owner", "State", "Latest version", "Aliases", "Labels", "Updated"]} />
          <tbody>
            {models.map((model) => (
              <tr key={model.name} data-href={hrefOf(model.name)} tabIndex={-1} className={flashing.has(model.name) ? "flash" : undefined}>
                <td>
                  <Link href={hrefOf(model.name)} className="strong truncate" title={model.displayName}>
                    {model.displayName}
                  </Link>
                </td>
                <td>
                  <span className="truncate" title={model.owner}>
                    {model.owner}
                  </span>
                </td>
                <td>
                  <StateChip state={model.state} />
                </td>
                <ModelExtras model={model} />
                <td>
                  <Labels labels={model.labels} onPick={(k, v) => addFilter(`labels.${k} = ${JSON.stringify(v)}`)} />
                </td>
                <td>
                  <Time value={model.updateTime} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager token={pageToken} next={list.data?.nextPageToken ?? ""} />
    </section>
  );
}

function SearchBar({ filter, orderBy, error }: { filter: string; orderBy: string; error: unknown }) {
  const [text, setText] = useState(filter);
  const [seen, setSeen] = useState(filter);
  if (seen !== filter) {
    setSeen(filter);
    setText(filter);
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ filter: text.trim(), page: undefined });
  };
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Search models">
      <label className="grow">
        <span className="sr-only">Filter</span>
        <input
          data-search
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={'Filter, e.g. owner = "risk-team" AND labels.team = "fraud"   (press / to focus)'}
          aria-describedby="filter-error"
          spellCheck={false}
        />
      </label>
      <label>
        <span className="sr-only">Sort</span>
        <select value={orderBy} onChange={(e) => setQuery({ sort: e.target.value, page: undefined })}>
          {SORTS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="chips">
        <legend className="sr-only">State</legend>
        <button type="button" className="chip state-live" onClick={() => setQuery({ filter: 'state = "LIVE"', page: undefined })}>
          LIVE
        </button>
        <button type="button" className="chip state-archived" onClick={() => setQuery({ filter: 'state = "ARCHIVED"', page: undefined })}>
          ARCHIVED
        </button>
      </fieldset>
      <div id="filter-error" className="full">
        <ErrorNote error={error} what="Filter" />
      </div>
    </form>
  );
}

/** The latest version and the aliases of one model, as the FULL view returned them. */
function ModelExtras({ model }: { model: RegisteredModel }) {
  const version = model.latestVersion;
  return (
    <>
      <td>{version ? <Link href={hrefOf(version.name)}>{version.version}</Link> : <span className="muted">—</span>}</td>
      <td>
        {model.aliases.map((a) => (
          <span key={a.alias} title={`→ ${a.version}`}>
            <AliasTag alias={a.alias} /> <span className="muted small">{a.version}</span>{" "}
          </span>
        ))}
      </td>
    </>
  );
}
