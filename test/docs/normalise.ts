// How the docs test compares what a document shows with what ran. Both sides are normalised:
// - timestamps (2026-12-06T20:51:04.123Z, 2026-12-06 20:51:04Z) become <time>, "3s ago" becomes <ago>;
// - token secrets (mr_…) and sha256 digests (sha256:…) become mr_… and sha256:…;
// - the server's real port becomes 8080 (the port the documents show);
// - trailing spaces are dropped, runs of spaces collapse to one (table columns), and leading and
//   trailing blank lines are ignored.
// In the expected text, `…` matches any text within a line and a line `...` matches any lines.

export function normalise(text: string, port?: number): string {
  let s = text.replace(/\r\n/g, "\n");
  if (port) s = s.replace(new RegExp(`(localhost|127\\.0\\.0\\.1):${port}\\b`, "g"), "$1:8080");
  s = s
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?/g, "<time>")
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?Z?/g, "<time>")
    .replace(/\b\d+(\.\d+)?\s?(ms|s|m|h|d) ago\b/g, "<ago>")
    .replace(/\bmr_[A-Za-z0-9_-]+…?/g, "mr_…")
    .replace(/\bsha256:[0-9a-f]+…?/g, "sha256:…");
  const lines = s.split("\n").map((l) => l.replace(/[ \t]+$/, "").replace(/ {2,}/g, " "));
  while (lines.length && lines[0] === "") lines.shift();
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A regular expression for normalised expected output, with its `…` and `...` wildcards. */
export function expectationPattern(expected: string): RegExp {
  const lines = expected.split("\n").map((l) => (l === "..." ? "(?:[^\\n]*\\n)*?" : `${l.split("…").map(escapeRegExp).join("[^\\n]*?")}\\n`));
  return new RegExp(`^${lines.join("")}$`);
}

/** Whether normalised output matches normalised expected output. */
export function matches(actual: string, expected: string): boolean {
  return expectationPattern(expected).test(`${actual}\n`) || (actual === "" && expected === "");
}

/**
 * Whether every expected line appears among the output lines, in order (each expected line may use
 * `…`); for outputs written as trailing comments, which show one line of each print.
 */
export function missingLines(actual: string, expected: string[]): string[] {
  const lines = actual.split("\n");
  let at = 0;
  const missing: string[] = [];
  for (const want of expected) {
    const re = new RegExp(`^${want.split("…").map(escapeRegExp).join(".*?")}$`);
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    if (found < 0) missing.push(want);
    else at = found + 1;
  }
  return missing;
}
