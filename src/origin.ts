// Kept free of imports: src/config.ts parses --cors-allowed-origins with it, and `--help` and the
// client commands load config.ts without loading the server (src/main.ts).

/**
 * The origin as browsers send it (scheme://host[:port], lower case, default port dropped), or
 * undefined when the text is not one: only http and https, no user, path (not even "/"), query
 * or fragment. "null" (sandboxed frames, file: pages) is not accepted: any page can send it.
 */
export function normaliseOrigin(text: string): string | undefined {
  if (!/^https?:\/\/[^/?#@\s\\]+$/i.test(text)) return undefined;
  try {
    return new URL(text).origin;
  } catch {
    return undefined;
  }
}
