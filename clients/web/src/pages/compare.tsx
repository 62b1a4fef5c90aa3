import { useQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import { MetricDirection } from "../../../../gen/modelregistry/v1/compare_pb.js";
import { rpc } from "../api/methods.js";
import { AliasTag, Empty, ErrorNote, Loading } from "../components/bits.js";
import { BarChart } from "../components/chart.js";
import { formatValue, numericValue } from "../format.js";
import { hrefOf, Link, setQuery, useLocation } from "../router.js";
import { VersionPicker } from "./compare-picker.js";

/** Versions side by side (CompareModelVersions): every metric and parameter, the best value marked, and a chart. */
export function ComparePage() {
  const { query } = useLocation();
  const names = query.getAll("v");
  const compare = useQuery(rpc.compareModelVersions, { names }, { enabled: names.length > 0 });
  const [chartKey, setChartKey] = useState<string | undefined>();
  if (names.length === 0)
    return (
      <section>
        <h1>Compare</h1>
        <Empty>Pick versions here, or two or more on a model's Versions tab and press "Compare selected".</Empty>
        <VersionPicker compared={[]} model="" />
      </section>
    );
  if (compare.error) return <ErrorNote error={compare.error} what="Compare" />;
  if (!compare.data) return <Loading />;
  const { modelVersions, rows } = compare.data;
  const numeric = rows.filter((r) => r.cells.some((c) => numericValue(c.value) !== undefined));
  const chartRow = numeric.find((r) => r.key === chartKey) ?? numeric.find((r) => r.direction !== MetricDirection.UNSPECIFIED) ?? numeric[0];
  return (
    <section>
      <h1>Compare {modelVersions.length} versions</h1>
      <VersionPicker compared={names} model={modelVersions[0]?.registeredModelDisplayName ?? ""} />
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Key</th>
            {modelVersions.map((v, i) => (
              <th key={v.name} scope="col" className="num">
                <Link href={hrefOf(v.name)}>
                  {v.registeredModelDisplayName} {v.version}
                </Link>{" "}
                {v.aliases.map((a) => (
                  <AliasTag key={a} alias={a} />
                ))}{" "}
                <button
                  type="button"
                  className="link small"
                  aria-label={`Remove ${v.registeredModelDisplayName} ${v.version}`}
                  onClick={() => setQuery({ v: names.filter((_, j) => j !== i) })}
                >
                  ×
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">
                {row.key}
                {row.direction === MetricDirection.HIGHER_IS_BETTER ? <span className="muted small"> higher is better</span> : null}
                {row.direction === MetricDirection.LOWER_IS_BETTER ? <span className="muted small"> lower is better</span> : null}
              </th>
              {row.cells.map((cell, i) => (
                <td key={modelVersions[i]?.name ?? i} className={`num${cell.best ? " best" : ""}`}>
                  {formatValue(cell.value)}
                  {cell.best ? (
                    <>
                      <span aria-hidden="true"> ★</span>
                      <span className="sr-only"> (best)</span>
                    </>
                  ) : null}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {chartRow ? (
        <>
          <h2>Chart</h2>
          <label>
            Key{" "}
            <select value={chartRow.key} onChange={(e) => setChartKey(e.target.value)}>
              {numeric.map((r) => (
                <option key={r.key}>{r.key}</option>
              ))}
            </select>
          </label>
          <BarChart
            title={`${chartRow.key} by version`}
            bars={chartRow.cells.flatMap((cell, i) => {
              const value = numericValue(cell.value);
              const v = modelVersions[i];
              return value === undefined || !v ? [] : [{ label: `${v.registeredModelDisplayName} ${v.version}`, value, best: cell.best }];
            })}
          />
        </>
      ) : null}
    </section>
  );
}
