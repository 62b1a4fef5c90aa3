import { type FormEvent, useState } from "react";
import { session, useSession } from "../api/session.js";
import { Dialog } from "./dialog.js";

/**
 * The header's sign-in control, and the dialog the UI opens when the server answers UNAUTHENTICATED
 * (no token yet, a wrong one, or one revoked meanwhile). The token stays in this tab's sessionStorage.
 */
export function SignIn() {
  const { token, prompt } = useSession();
  const [open, setOpen] = useState(false);
  const showing = open || prompt !== undefined;
  const close = () => {
    setOpen(false);
    session.dismiss();
  };
  return (
    <>
      {token === "" ? (
        <button type="button" className="link" onClick={() => setOpen(true)}>
          Sign in
        </button>
      ) : (
        <span className="who">
          <span data-testid="signed-in">signed in</span>{" "}
          <button type="button" className="link" onClick={() => session.signIn("")}>
            Sign out
          </button>
        </span>
      )}
      {showing ? <SignInDialog reason={prompt} onClose={close} /> : null}
    </>
  );
}

function SignInDialog({ reason, onClose }: { reason: string | undefined; onClose: () => void }) {
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    session.signIn(value.trim());
    onClose();
  };
  return (
    <Dialog title="Sign in" onClose={onClose}>
      <form onSubmit={submit}>
        {reason ? (
          <p className="error" role="alert">
            {reason}
          </p>
        ) : null}
        <p className="muted">The token is kept in this tab only, until it closes.</p>
        <label>
          Token
          <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required autoFocus />
        </label>
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Sign in
          </button>
        </div>
      </form>
    </Dialog>
  );
}
