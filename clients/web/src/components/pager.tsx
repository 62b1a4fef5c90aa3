import { setQuery } from "../router.js";

/**
 * Keyset paging: the next page's opaque token goes into the URL (?page=…), so the back button
 * returns to the previous page and any page can be shared.
 */
export function Pager({ token, next, param = "page" }: { token: string; next: string; param?: string }) {
  if (token === "" && next === "") return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={token === ""} onClick={() => setQuery({ [param]: undefined })}>
        First page
      </button>
      <button type="button" disabled={token === ""} onClick={() => history.back()}>
        Previous
      </button>
      <button type="button" disabled={next === ""} onClick={() => setQuery({ [param]: next })}>
        Next
      </button>
    </nav>
  );
}
