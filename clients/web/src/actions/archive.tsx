import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type RegisteredModel, State } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { rpc } from "../api/methods.js";
import { ErrorNote } from "../components/bits.js";
import { Dialog } from "../components/dialog.js";

/** Archive (ArchiveRegisteredModel) or restore (state LIVE), with the etag and a reason. */
export function ArchiveButton({ model }: { model: RegisteredModel }) {
  const [open, setOpen] = useState(false);
  const archived = model.state === State.ARCHIVED;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {archived ? "Restore…" : "Archive…"}
      </button>
      {open ? <ArchiveDialog model={model} archived={archived} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function ArchiveDialog({ model, archived, onClose }: { model: RegisteredModel; archived: boolean; onClose: () => void }) {
  const client = useQueryClient();
  // The etag of what the dialog opened with (a live update of the page does not change it).
  const [etag] = useState(model.etag);
  const [reason, setReason] = useState("");
  const [cascade, setCascade] = useState(false);
  const archive = useMutation(rpc.archiveRegisteredModel);
  const restore = useMutation(rpc.updateRegisteredModel);
  const pending = archive.isPending || restore.isPending;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if (archived)
        await restore.mutateAsync({
          registeredModel: { name: model.name, state: State.LIVE, etag },
          updateMask: { paths: ["state"] },
          reason,
        });
      else await archive.mutateAsync({ name: model.name, etag, reason, cascade });
      void client.invalidateQueries();
      onClose();
    } catch {
      // Shown below.
    }
  };
  return (
    <Dialog title={`${archived ? "Restore" : "Archive"} ${model.displayName}`} onClose={onClose}>
      <form onSubmit={submit}>
        <p>
          {archived
            ? "The model becomes LIVE again: new versions may be registered into it."
            : "The model becomes ARCHIVED: it is kept for audit and lineage, and no new versions may be registered into it."}
        </p>
        {archived ? null : (
          <label className="check">
            <input type="checkbox" checked={cascade} onChange={(e) => setCascade(e.target.checked)} /> Archive its LIVE versions too (needed while an
            alias or a deployment refers to the model)
          </label>
        )}
        <label>
          Reason (goes into the audit log)
          <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1024} />
        </label>
        <ErrorNote error={archive.error ?? restore.error} what="Not changed" />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={pending}>
            {archived ? "Restore" : "Archive"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
