import { useQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import type { RegisteredModel } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { rpc } from "../api/methods.js";
import { AliasTag, Empty, ErrorNote, Loading, StateChip, Time } from "../components/bits.js";
import { Pager } from "../components/pager.js";
import { formatValue, numericValue } from "../format.js";
import { BASE, hrefOf, Link, navigate, setQuery, useLocation } from "../router.js";

const MAX_COLUMNS = 8;

/**
 * The versions of a model, a page at a time, with a column per custom property (the ones on the
 * page, or those named in ?cols=), sortable by any of them on the server (order_by
 * custom_properties.<key>), and a checkbox per row to compare the selected versions.
 */
export function VersionsTab({ model, flashing }: { model: RegisteredModel; flashing: ReadonlySet<string> }) {
  const { query } = useLocation();
  const orderBy = query.get("sort") ?? "create_time desc";
  const pageToken = query.get("vpage") ?? "";
  const list = useQuery(rpc.listModelVersions, { parent: model.name, orderBy, pageToken, pageSize: 50 });
  const [selected, setSelected] = useState<string[]>([]);
  if (list.error) return <ErrorNote error={list.error} what="Versions" />;
  if (!list.data) return <Loading />;
  const versions = list.data.modelVersions;
  if (versions.length === 0 && pageToken === "")
    return (
      <Empty command={`npx model-registry register ${model.displayName} --version v1 --uri s3://bucket/model.onnx`}>
        No versions yet. Register one:
      </Empty>
    );
  const named = query.get("cols");
  const columns = named
    ? named.split(",").filter((c) => c !== "")
    : [...new Set(versions.flatMap((v) => Object.keys(v.customProperties)))].sort().slice(0, MAX_COLUMNS);
  const sortBy = (key: string) => {
    const field = key === "version" || key === "create_time" ? key : `custom_properties.\`${key}\``;
    setQuery({ sort: orderBy === `${field} desc` ? field : `${field} desc`, vpage: undefined });
  };
  const arrow = (key: string) => {
    const field = key === "version" || key === "create_time" ? key : `custom_properties.\`${key}\``;
    return orderBy === `${field} desc` ? " ↓" : orderBy === field ? " ↑" : "";
  };
  const ariaSort = (key: string) => (arrow(key) === " ↓" ? "descending" : arrow(key) === " ↑" ? "ascending" : undefined);
  const toggle = (name: string) => setSelected((s) => (s.includes(name) ? s.filter((n) => n !== name) : [...s, name]));
  return (
    <>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          disabled={selected.length < 2}
          onClick={() => navigate(`${BASE}compare?${selected.map((n) => `v=${encodeURIComponent(n)}`).join("&")}`)}
        >
          Compare selected ({selected.length})
        </button>
        <span className="muted small">Select two or more versions. Click a column to sort by it.</span>
      </div>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Select</span>
            </th>
            <th scope="col" aria-sort={ariaSort("version")}>
              <button type="button" className="link" onClick={() => sortBy("version")}>
                Version{arrow("version")}
              </button>
            </th>
            <th scope="col">State</th>
            <th scope="col">Aliases</th>
            <th scope="col">Author</th>
            <th scope="col" aria-sort={ariaSort("create_time")}>
              <button type="button" className="link" onClick={() => sortBy("create_time")}>
                Registered{arrow("create_time")}
              </button>
            </th>
            {columns.map((key) => (
              <th key={key} scope="col" className="num" aria-sort={ariaSort(key)}>
                <button type="button" className="link" onClick={() => sortBy(key)} title={`Sort by ${key}`}>
                  {key}
                  {arrow(key)}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.name} data-href={hrefOf(v.name)} tabIndex={-1} className={flashing.has(v.name) ? "flash" : undefined}>
              <td>
                <input
                  type="checkbox"
                  checked={selected.includes(v.name)}
                  onChange={() => toggle(v.name)}
                  aria-label={`Select ${v.version} to compare`}
                />
              </td>
              <td>
                <Link href={hrefOf(v.name)} className="strong">
                  {v.version}
                </Link>
              </td>
              <td>
                <StateChip state={v.state} />
              </td>
              <td>
                {v.aliases.map((a) => (
                  <AliasTag key={a} alias={a} flash={flashing.has(v.name)} />
                ))}
              </td>
              <td>{v.author}</td>
              <td>
                <Time value={v.createTime} />
              </td>
              {columns.map((key) => {
                const value = v.customProperties[key];
                return (
                  <td key={key} className={numericValue(value) === undefined ? undefined : "num"}>
                    {formatValue(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager token={pageToken} next={list.data.nextPageToken} param="vpage" />
    </>
  );
}
