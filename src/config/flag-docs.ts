import { flagList } from "./flags.js";
import { flagLabel, flagNotes } from "./usage.js";

const cell = (text: string) => text.replaceAll("|", "\\|");
/** "docs/metrics.md" in help text becomes a link from docs/configuration.md. */
const linked = (text: string) => cell(text).replace(/\bdocs\/([a-z-]+\.md)/g, "[$1]($1)");

/** The flags table of docs/configuration.md, made from the same table as the parser and --help. */
export function flagsMarkdown(): string {
  const rows = flagList().map((flag) => {
    const notes = flagNotes(flag);
    const env = notes.env
      .split(", ")
      .map((name) => `\`${name}\``)
      .join(", ");
    return `| \`${cell(flagLabel(flag))}\` | ${env} | ${notes.default === undefined ? "unset" : cell(notes.default)} | ${linked(flag.help)} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
