import type { MetadataValue } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { formatValue, numericValue } from "../format.js";

/** Typed metadata as a key/value table: numbers right-aligned with fixed decimals, the type on hover. */
export function PropertiesTable({ properties }: { properties: Record<string, MetadataValue> }) {
  const entries = Object.entries(properties).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="grid">
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td className={numericValue(value) === undefined ? undefined : "num"} title={value.kind.case ?? ""}>
              {formatValue(value)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
