import { useMutation, useQuery } from "@connectrpc/connect-query";
import { Code, ConnectError } from "@connectrpc/connect";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RegisteredModel } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { rpc } from "../api/methods.js";
import { ErrorNote } from "../components/bits.js";
import { Dialog } from "../components/dialog.js";

/**
 * Sets or moves an alias with compare-and-set: the request carries the version the alias pointed at
 * when the dialog opened ("" for a new alias). When someone moved it meanwhile the server refuses
 * (ABORTED) and the dialog shows where it points now, offering to retry from there.
 */
export function SetAliasDialog(props: { model: RegisteredModel; alias: string; current: string; target?: string; onClose: () => void }) {
  const { model, onClose } = props;
  const client = useQueryClient();
  const [alias, setAlias] = useState(props.alias);
  const [expected, setExpected] = useState(props.current);
  const [target, setTarget] = useState(props.target ?? "");
  const [reason, setReason] = useState("");
  const [lost, setLost] = useState<string | undefined>();
  const versions = useQuery(rpc.listModelVersions, { parent: model.name, pageSize: 100, orderBy: "create_time desc", filter: 'state = "LIVE"' });
  const set = useMutation(rpc.setAlias);
  const current = useQuery(rpc.getAlias, { name: `${model.name}/aliases/${alias}` }, { enabled: lost !== undefined });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await set.mutateAsync({ name: `${model.name}/aliases/${alias}`, modelVersion: target, expectedModelVersion: expected, reason });
      void client.invalidateQueries();
      onClose();
    } catch (error) {
      if (ConnectError.from(error).code === Code.Aborted) {
        setLost(alias);
        void current.refetch();
      }
    }
  };
  const now = current.data?.alias;
  const label = (name: string) => versions.data?.modelVersions.find((v) => v.name === name)?.version ?? name;
  return (
    <Dialog title={props.alias ? `Move @${props.alias}` : "Set an alias"} onClose={onClose}>
      <form onSubmit={submit}>
        {props.alias ? null : (
          <label>
            Alias
            <input value={alias} onChange={(e) => setAlias(e.target.value)} pattern="[a-z][a-z0-9-]*" required placeholder="staging" />
          </label>
        )}
        <label>
          Version
          <select value={target} onChange={(e) => setTarget(e.target.value)} required>
            <option value="">Choose a version…</option>
            {(versions.data?.modelVersions ?? []).map((v) => (
              <option key={v.name} value={v.name}>
                {v.version}
                {v.aliases.length ? ` (@${v.aliases.join(", @")})` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason (goes into the audit log)
          <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1024} />
        </label>
        <p className="muted">
          {expected ? `@${alias} moves from ${label(expected)} to ${label(target) || "…"}, if it still points at ${label(expected)}.` : null}
          {!expected && alias ? `@${alias} is created, pointing at ${label(target) || "…"}, if it does not exist yet.` : null}
        </p>
        {lost !== undefined ? (
          <div className="error" role="alert">
            Someone changed @{alias} since this dialog opened: it now points at{" "}
            <strong>{now ? now.version : current.isPending ? "…" : "nothing"}</strong>. Nothing was changed.{" "}
            <button
              type="button"
              onClick={() => {
                setExpected(now?.modelVersion ?? "");
                setLost(undefined);
                set.reset();
              }}
            >
              Retry from there
            </button>
          </div>
        ) : (
          <ErrorNote error={set.error} what="Not set" />
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={set.isPending || lost !== undefined}>
            {props.alias ? "Move alias" : "Set alias"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
