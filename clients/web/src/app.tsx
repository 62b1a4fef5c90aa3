import { useEffect } from "react";
import { SignIn } from "./components/sign-in.js";
import { useLiveStatus } from "./live/live.js";
import { CatalogPage } from "./pages/catalog.js";
import { ComparePage } from "./pages/compare.js";
import { EventsPage } from "./pages/events.js";
import { ModelPage } from "./pages/model.js";
import { VersionPage } from "./pages/version.js";
import { BASE, Link, navigate, useLocation } from "./router.js";

export function App() {
  const { route } = useLocation();
  useKeyboard();
  return (
    <>
      <header className="top">
        <Link href={BASE} className="brand">
          Model Registry
        </Link>
        <nav aria-label="Main">
          <Link href={BASE} aria-current={route.page === "catalog" ? "page" : undefined}>
            Models
          </Link>
          <Link href={`${BASE}events`} aria-current={route.page === "events" ? "page" : undefined}>
            Audit log
          </Link>
        </nav>
        <span className="spacer" />
        <LiveIndicator />
        <SignIn />
      </header>
      <main>
        {route.page === "catalog" ? <CatalogPage /> : null}
        {route.page === "model" ? <ModelPage id={route.model} /> : null}
        {route.page === "version" ? <VersionPage model={route.model} version={route.version} /> : null}
        {route.page === "compare" ? <ComparePage /> : null}
        {route.page === "events" ? <EventsPage /> : null}
        {route.page === "not-found" ? (
          <section>
            <h1>Not found</h1>
            <p>
              No page here. <Link href={BASE}>Go to the models.</Link>
            </p>
          </section>
        ) : null}
      </main>
    </>
  );
}

function LiveIndicator() {
  const { status, detail } = useLiveStatus();
  const text = { connecting: "connecting", live: "live", reconnecting: "reconnecting…", "signed-out": "signed out" }[status];
  return (
    <span className={`live live-${status}`} role="status" title={detail ?? "Changes appear as they are committed"} data-live={status}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** `/` focuses search, `j`/`k` move through rows, `Enter` opens the row (Esc closes dialogs natively). */
function useKeyboard(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target instanceof HTMLElement && target.closest("input, textarea, select, dialog")) return;
      if (event.key === "/") {
        const search = document.querySelector<HTMLInputElement>("[data-search]");
        if (search) {
          event.preventDefault();
          search.focus();
        }
        return;
      }
      const rows = [...document.querySelectorAll<HTMLTableRowElement>("main tr[data-href]")];
      if (rows.length === 0) return;
      const at = rows.findIndex((row) => row === document.activeElement);
      if (event.key === "j" || event.key === "k") {
        event.preventDefault();
        const next = event.key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
        rows[next]?.focus();
      } else if (event.key === "Enter" && at >= 0) {
        event.preventDefault();
        navigate(rows[at]!.dataset.href!);
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
}
