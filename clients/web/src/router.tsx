import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

/** Every view is a URL under /ui/: shareable, and the back button works. Filters and sort live in the query. */
export type Route =
  | { page: "catalog" }
  | { page: "model"; model: string }
  | { page: "version"; model: string; version: string }
  | { page: "compare" }
  | { page: "events" }
  | { page: "not-found" };

export const BASE = "/ui/";

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : "";
  if (path === "") return { page: "catalog" };
  if (path === "compare") return { page: "compare" };
  if (path === "events") return { page: "events" };
  const version = /^models\/(\d+)\/versions\/(\d+)$/.exec(path);
  if (version) return { page: "version", model: version[1]!, version: version[2]! };
  const model = /^models\/(\d+)$/.exec(path);
  if (model) return { page: "model", model: model[1]! };
  return { page: "not-found" };
}

/** The UI path of a resource name: registeredModels/1 → /ui/models/1, …/versions/2 → /ui/models/1/versions/2. */
export function hrefOf(resourceName: string): string {
  const m = /^registeredModels\/(\d+)(?:\/versions\/(\d+))?/.exec(resourceName);
  if (!m) return BASE;
  return m[2] ? `${BASE}models/${m[1]}/versions/${m[2]}` : `${BASE}models/${m[1]}`;
}

const listeners = new Set<() => void>();
let snapshot = { pathname: location.pathname, search: location.search };

function changed(): void {
  snapshot = { pathname: location.pathname, search: location.search };
  for (const listener of listeners) listener();
}
addEventListener("popstate", changed);

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  changed();
  if (!options.replace) scrollTo(0, 0);
}

export function useLocation(): { route: Route; query: URLSearchParams } {
  const current = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
  return { route: parseRoute(current.pathname), query: new URLSearchParams(current.search) };
}

/** Replaces (or removes, with "") query parameters of the current view, keeping the rest. */
export function setQuery(updates: Record<string, string | string[] | undefined>, options: { replace?: boolean } = {}): void {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(updates)) {
    query.delete(key);
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== "") query.append(key, v);
  }
  const search = query.toString();
  navigate(`${location.pathname}${search ? `?${search}` : ""}`, options);
}

/** An <a> that navigates inside the app (a modified click still opens a new tab). */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
