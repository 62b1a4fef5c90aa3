import { useQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import { AliasChangeType } from "../../../../gen/modelregistry/v1/lifecycle_pb.js";
import type { RegisteredModel } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { mayMoveAlias, useCaller } from "../api/caller.js";
import { rpc } from "../api/methods.js";
import { SetAliasDialog } from "../actions/set-alias.js";
import { AliasTag, Empty, ErrorNote, Head, Loading, Time } from "../components/bits.js";
import { hrefOf, Link } from "../router.js";

/** The model's aliases with the version each points at, the moves that put them there, and the actions. */
export function AliasesTab({ model }: { model: RegisteredModel }) {
  const aliases = useQuery(rpc.listAliases, { parent: model.name, pageSize: 100 });
  const history = useQuery(rpc.listAliasHistory, { parent: model.name, pageSize: 50, orderBy: "revision desc" });
  const [moving, setMoving] = useState<{ alias: string; current: string } | undefined>();
  const caller = useCaller();
  return (
    <>
      {mayMoveAlias(caller, model.displayName, "") ? (
        <div className="toolbar">
          <button type="button" onClick={() => setMoving({ alias: "", current: "" })}>
            Set a new alias…
          </button>
        </div>
      ) : null}
      <ErrorNote error={aliases.error} what="Aliases" />
      {aliases.data && aliases.data.aliases.length === 0 ? (
        <Empty command={`npx model-registry alias set ${model.displayName} production v1 --reason "passed review"`}>No aliases yet.</Empty>
      ) : null}
      {aliases.data && aliases.data.aliases.length > 0 ? (
        <table className="grid">
          <Head columns={["Alias", "Version", "Since", { label: "Actions", srOnly: true }]} />
          <tbody>
            {aliases.data.aliases.map((a) => (
              <tr key={a.alias}>
                <td>
                  <AliasTag alias={a.alias} />
                </td>
                <td>
                  <Link href={hrefOf(a.modelVersion)}>{a.version}</Link>
                </td>
                <td>
                  <Time value={a.updateTime} />
                </td>
                <td>
                  {mayMoveAlias(caller, model.displayName, a.alias) ? (
                    <button type="button" onClick={() => setMoving({ alias: a.alias, current: a.modelVersion })}>
                      Move…
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>History</h2>
      <ErrorNote error={history.error} what="Alias history" />
      {!history.data ? <Loading /> : null}
      {history.data ? (
        <table className="grid">
          <Head columns={["When", "Alias", "Change", "Actor", "Reason"]} />
          <tbody>
            {history.data.entries.map((h) => (
              <tr key={`${h.revision}-${h.alias}`}>
                {[
                  <Time key="t" value={h.time} />,
                  <AliasTag key="a" alias={h.alias} />,
                  h.type === AliasChangeType.DELETED ? "removed" : `${h.previousVersion ? `${h.previousVersion} → ` : "set to "}${h.version}`,
                  h.actor,
                  h.reason,
                ].map((cell, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
                  <td key={i}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {moving ? <SetAliasDialog model={model} alias={moving.alias} current={moving.current} onClose={() => setMoving(undefined)} /> : null}
    </>
  );
}
