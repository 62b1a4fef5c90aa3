import type { FlagSpec } from "./flag-spec.js";
import { flagList } from "./flags.js";

const WIDTH = 100;
const INDENT = 23;

/** A flag's label: `--name PLACEHOLDER`, or `--name` for a switch. */
export function flagLabel(flag: Pick<FlagSpec<unknown>, "name" | "value">): string {
  return flag.value === undefined ? `--${flag.name}` : `--${flag.name} ${flag.value}`;
}

/** What a flag's help line says after its text: its environment variables and default. */
export function flagNotes(flag: FlagSpec<unknown>): { env: string; default: string | undefined } {
  const env = flag.env.map((name) => (flag.value === undefined ? `${name}=1` : name)).join(", ");
  return { env, default: flag.shown ?? flag.default };
}

function wrap(words: string[], first: string): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of words) {
    if (line.trimEnd().length + 1 + word.length > WIDTH && line.trim() !== "") {
      lines.push(line.trimEnd());
      line = " ".repeat(INDENT);
    }
    line += line.endsWith(" ") ? word : ` ${word}`;
  }
  lines.push(line.trimEnd());
  return lines;
}

function helpOf(flag: FlagSpec<unknown>): string {
  const label = `  ${flagLabel(flag)}`;
  const notes = flagNotes(flag);
  const sentence = `${flag.help} [${notes.env}]${notes.default !== undefined ? ` (default ${notes.default})` : ""}`;
  const head = label.length < INDENT ? label.padEnd(INDENT) : `${label}\n${" ".repeat(INDENT)}`;
  const [firstLine = "", ...rest] = head.split("\n");
  const lines = rest.length === 0 ? wrap(sentence.split(" "), firstLine) : [firstLine, ...wrap(sentence.split(" "), rest[0] ?? "")];
  return lines.join("\n");
}

const flagsOf = (group: FlagSpec<unknown>["group"]) =>
  flagList()
    .filter((flag) => flag.group === group)
    .map(helpOf)
    .join("\n");

export const USAGE = `usage: model-registry <command> [flags]

commands:
  serve     run the server (default)
  migrate   apply database migrations and exit
  help      print this text (help COMMAND: that command's flags)
  --version print the version

client commands (talk to a running server; see model-registry <command> --help):
  models list|get|archive|restore      registered models
  versions list|get|compare|archive|restore
                                       model versions
  register MODEL --version V --uri U   register a model version
  alias set|rm|list                    move and remove aliases
  events                               the audit log
  watch [--model M] [--from REVISION]  print changes as they happen, resuming after disconnects
  token hash [SECRET]                  print the sha256 line of a bearer secret for --tokens-file
                                       (reads the secret from stdin when not given)
  token new SUBJECT ROLES              make a random secret and print it with its tokens-file line

operations (open the database themselves; see docs/operations.md and <command> --help):
  backup --to FILE                     online backup of a SQLite registry (Postgres: pg_dump)
  restore [--from FILE]                put a backup in place; Watch clients then relist
  export [--to FILE]                   every resource and the event log as JSON Lines
  import --from FILE | --from-kubeflow URL
                                       load an export, or copy a Kubeflow Model Registry

flags (environment variable in brackets):
${flagsOf("server")}

security (docs/security.md; authentication is on when any credential source is set):
${flagsOf("security")}
`;
