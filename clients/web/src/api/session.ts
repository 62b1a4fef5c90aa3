import { useSyncExternalStore } from "react";

/**
 * The caller's bearer token, kept in sessionStorage only (gone when the tab closes; never in a URL,
 * a cookie or a log), and whether the UI is asking for one: the server answered UNAUTHENTICATED.
 */
export interface SessionState {
  token: string;
  /** Set while the sign-in dialog is open: why it was asked for. */
  prompt?: string;
}

const KEY = "model-registry.token";
const listeners = new Set<() => void>();
let state: SessionState = { token: readToken() };

function readToken(): string {
  try {
    return sessionStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

function update(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export const session = {
  get: (): SessionState => state,
  token: (): string => state.token,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Opens the sign-in dialog (once; later calls keep the first reason). */
  ask(reason: string): void {
    if (state.prompt === undefined) update({ ...state, prompt: reason });
  },
  signIn(token: string): void {
    try {
      if (token === "") sessionStorage.removeItem(KEY);
      else sessionStorage.setItem(KEY, token);
    } catch {
      // Storage refused (private mode): the token lives in memory for this page only.
    }
    update({ token });
  },
  dismiss(): void {
    update({ token: state.token });
  },
};

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.get);
}
