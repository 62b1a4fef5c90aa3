import { readFileSync, writeFileSync } from "node:fs";
import { flagsMarkdown } from "../../src/config/flag-docs.js";

/** docs/configuration.md's flags table sits between these lines; `npm run docs:flags` rewrites it. */
export const BEGIN = "<!-- flags: made from src/config/flags.ts by npm run docs:flags; do not edit -->";
export const END = "<!-- /flags -->";
export const CONFIGURATION_MD = new URL("../../docs/configuration.md", import.meta.url);

/** The document with its flags table replaced by the current one. */
export function withCurrentTable(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start === -1 || end < start) throw new Error(`docs/configuration.md has no "${BEGIN}" … "${END}" section`);
  return `${doc.slice(0, start + BEGIN.length)}\n${flagsMarkdown()}\n${doc.slice(end)}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/test\//, "/test/"))) {
  writeFileSync(CONFIGURATION_MD, withCurrentTable(readFileSync(CONFIGURATION_MD, "utf8")));
}
