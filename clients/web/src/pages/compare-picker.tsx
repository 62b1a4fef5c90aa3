import { useQuery } from "@connectrpc/connect-query";
import { type FormEvent, useState } from "react";
import { rpc } from "../api/methods.js";
import { ErrorNote } from "../components/bits.js";
import { setQuery } from "../router.js";

/**
 * Adds a version to the comparison: a model by display name (the one of the first compared version
 * to start with), then one of its versions, newest first. The pick goes into the URL (?v=…), so
 * the comparison stays shareable.
 */
export function VersionPicker({ compared, model: initial }: { compared: string[]; model: string }) {
  const [typed, setTyped] = useState(initial);
  const [model, setModel] = useState(initial);
  const [picked, setPicked] = useState("");
  const found = useQuery(rpc.getRegisteredModel, { displayName: model }, { enabled: model !== "" });
  const parent = found.data?.registeredModel?.name ?? "";
  const versions = useQuery(rpc.listModelVersions, { parent, pageSize: 100, orderBy: "create_time desc" }, { enabled: parent !== "" });
  const choices = (versions.data?.modelVersions ?? []).filter((v) => !compared.includes(v.name));
  const add = (event: FormEvent) => {
    event.preventDefault();
    const name = picked || choices[0]?.name;
    if (name) setQuery({ v: [...compared, name] }, { replace: false });
    setPicked("");
  };
  return (
    <form className="toolbar" aria-label="Add a version" onSubmit={add}>
      <label>
        Model <input value={typed} onChange={(e) => setTyped(e.target.value)} onBlur={() => setModel(typed.trim())} placeholder="fraud-detector" />
      </label>
      <button type="button" onClick={() => setModel(typed.trim())}>
        Show versions
      </button>
      <label>
        Version{" "}
        <select value={picked} onChange={(e) => setPicked(e.target.value)} disabled={choices.length === 0}>
          {choices.map((v) => (
            <option key={v.name} value={v.name}>
              {v.version}
              {v.aliases.length > 0 ? ` (@${v.aliases.join(", @")})` : ""}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={choices.length === 0}>
        Add to comparison
      </button>
      <ErrorNote error={found.error ?? versions.error} what="Model" />
    </form>
  );
}
