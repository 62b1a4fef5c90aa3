import { useMutation } from "@connectrpc/connect-query";
import { Code, ConnectError } from "@connectrpc/connect";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { RegisteredModel } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { rpc } from "../api/methods.js";
import { ErrorNote } from "../components/bits.js";
import { Dialog } from "../components/dialog.js";

export function EditModelButton({ model }: { model: RegisteredModel }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Edit…
      </button>
      {open ? <EditModelDialog model={model} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (line.trim() === "") continue;
    labels[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? "" : line.slice(at + 1).trim();
  }
  return labels;
}

/**
 * Edits description and labels with the etag the dialog opened with: when the model changed
 * meanwhile the server refuses (ABORTED) and the dialog says so; nothing is overwritten.
 */
function EditModelDialog({ model, onClose }: { model: RegisteredModel; onClose: () => void }) {
  const client = useQueryClient();
  // The etag of what the dialog opened with: a live update of the page must not make the save overwrite it.
  const [etag] = useState(model.etag);
  const [description, setDescription] = useState(model.description);
  const [labels, setLabels] = useState(
    Object.entries(model.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  const [reason, setReason] = useState("");
  const [conflict, setConflict] = useState(false);
  const update = useMutation(rpc.updateRegisteredModel);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await update.mutateAsync({
        registeredModel: { name: model.name, description, labels: parseLabels(labels), etag },
        updateMask: { paths: ["description", "labels"] },
        reason,
      });
      void client.invalidateQueries();
      onClose();
    } catch (error) {
      if (ConnectError.from(error).code === Code.Aborted) setConflict(true);
    }
  };
  return (
    <Dialog title={`Edit ${model.displayName}`} onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Description
          <textarea rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          Labels (one key=value a line)
          <textarea rows={3} value={labels} onChange={(e) => setLabels(e.target.value)} spellCheck={false} />
        </label>
        <label>
          Reason (goes into the audit log)
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1024} />
        </label>
        {conflict ? (
          <div className="error" role="alert">
            This model was changed by someone else since you opened this dialog; your edit was not saved and nothing was overwritten. Close the dialog
            to see the current values, then edit again.
          </div>
        ) : (
          <ErrorNote error={update.error} what="Not saved" />
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            {conflict ? "Close" : "Cancel"}
          </button>
          <button type="submit" className="primary" disabled={update.isPending || conflict}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
