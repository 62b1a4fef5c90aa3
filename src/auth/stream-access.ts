import { PermissionDeniedError, UnauthenticatedError } from "../registry/core/errors.js";
import type { Grant, Identity } from "./identity.js";

/** What a stream must respect while it runs, beyond what was checked when it opened. */
export interface StreamAccess {
  /**
   * Aborted, with the error the stream must end with as its reason, when the credentials it was
   * opened with stop covering it: UnauthenticatedError (TOKEN_EXPIRED, TOKEN_REVOKED) or
   * PermissionDeniedError (the call is no longer allowed; GRANTS_CHANGED when it still is but
   * the caller may now read less than when it opened).
   */
  readonly revoked: AbortSignal;
  /** Stops watching the credentials (the stream ended). */
  close(): void;
}

export interface StreamAccessOptions {
  /** The identity the stream was opened with. */
  identity: Identity;
  /**
   * Authenticates the stream's request again and authorises the call for the identity it gives,
   * returning that identity; throws UnauthenticatedError or PermissionDeniedError.
   */
  recheck: () => Promise<Identity>;
  /** Subscribes to changes of the accepted credentials (Authenticator.onChange). */
  onChange: (listener: () => void) => () => void;
}

/** setTimeout takes at most 2^31-1 ms; a later expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Watches the credentials of one open stream: a JWT's expiry is a timer at `identity.expiresAt`
 * (the same moment unary calls start refusing it, clock skew included), and a tokens-file
 * identity (a bearer token, a certificate's grants) is checked again whenever the file is
 * reloaded, never per event. Grants that grow leave the stream as it is: it never gains what it
 * could not read when it opened (watch again for that). Checks do not overlap; a change that
 * arrives during one runs another after it.
 */
export function watchStreamAccess(options: StreamAccessOptions): StreamAccess {
  const { identity } = options;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  const close = () => {
    clearTimeout(timer);
    unsubscribe?.();
    unsubscribe = undefined;
  };
  const end = (error: Error) => {
    if (controller.signal.aborted) return;
    close();
    controller.abort(error);
  };

  if (identity.expiresAt !== undefined) {
    const expiresAt = identity.expiresAt;
    const arm = () => {
      const left = expiresAt - Date.now();
      if (left <= 0) end(new UnauthenticatedError("bearer token expired: the stream ends with its credential", "TOKEN_EXPIRED"));
      else timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS)).unref();
    };
    arm();
  }
  if (identity.method === "token" || identity.method === "certificate") {
    let running = false;
    let again = false;
    const check = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const now = await options.recheck();
          if (narrowed(identity, now)) {
            end(
              new PermissionDeniedError(
                `permission denied: the grants of ${identity.subject} changed while the stream was open and now allow reading less; watch again`,
                "models.read",
                "GRANTS_CHANGED",
              ),
            );
          }
        } while (again && !controller.signal.aborted);
      } catch (error) {
        end(revokedError(error));
      } finally {
        running = false;
      }
    };
    unsubscribe = options.onChange(() => void check());
  }
  return { revoked: controller.signal, close };
}

/** A stream whose token is no longer accepted ends with TOKEN_REVOKED; other failures as they are. */
function revokedError(error: unknown): Error {
  if (error instanceof UnauthenticatedError) {
    return new UnauthenticatedError(`the stream's credential is no longer accepted (${error.message})`, "TOKEN_REVOKED");
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The model globs an identity may read; null: every model. */
function readScope(grants: readonly Grant[]): Set<string> | null {
  const reading = grants.filter((g) => g.permissions.has("models.read"));
  if (reading.some((g) => g.models === null)) return null;
  return new Set(reading.flatMap((g) => g.models ?? []));
}

/** Whether `now` may read less than `before`: every model before but not now, or a glob dropped. */
function narrowed(before: Identity, now: Identity): boolean {
  const was = readScope(before.grants);
  const is = readScope(now.grants);
  if (is === null) return false;
  if (was === null) return true;
  return [...was].some((glob) => !is.has(glob));
}
