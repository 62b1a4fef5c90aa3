import { type FormEvent, useState } from "react";
import { describeRoles, useCaller } from "../api/caller.js";
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
  const caller = useCaller();
  return (
    <>
      {caller ? (
        <span
          className="who"
          data-testid="caller"
          title={caller.authenticationRequired ? "Signed in" : "Authentication is off: every caller is an admin"}
        >
          <span className="strong">{caller.subject}</span> <span className="muted">{describeRoles(caller)}</span>
        </span>
      ) : null}
      {token === "" ? (
        caller && !caller.authenticationRequired ? null : (
          <button type="button" className="link" onClick={() => setOpen(true)}>
            Sign in
          </button>
        )
      ) : (
        <button type="button" className="link who" onClick={() => session.signIn("")}>
          Sign out
        </button>
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
