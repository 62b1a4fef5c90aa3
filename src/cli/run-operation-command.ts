import { createWriteStream, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { DEFAULT_DATABASE } from "../config/config.js";
import { suggestName } from "../did-you-mean.js";
import { type OperationCommandName, isOperationCommand } from "./client-command-names.js";
import { createProgressReporter, type ProgressMode } from "./progress-reporter.js";

/** Where an operation command writes (tests run them in process). */
export interface OperationIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

type Values = Record<string, string | undefined>;

interface OperationCommand {
  usage: string;
  flags: readonly string[];
  run(values: Values, database: string, io: OperationIo): Promise<string>;
}

const COMMON_USAGE = `flags of every operation command:
  --database URL        sqlite:PATH or postgres://USER@HOST:5432/DB [DATABASE_URL] (default ${DEFAULT_DATABASE})
  --progress MODE       auto (a bar on a terminal, JSON lines on stderr otherwise), bar, json or off
  --progress-interval MS
                        least time between two progress lines or redraws (default 250 for JSON
                        lines, 100 for the bar; 0: one per step, e.g. per import batch)
See docs/operations.md.`;

const COMMANDS: Record<OperationCommandName, OperationCommand> = {
  backup: {
    usage: `usage: model-registry backup --to FILE [--database URL]
  Copies a SQLite registry into FILE (which must not exist) while the server keeps serving, with
  SQLite's online backup API. A Postgres registry is backed up with pg_dump: the command says how.`,
    flags: ["to"],
    async run(values, database, io) {
      const to = required(values, "to", this.usage);
      const { backupRegistry } = await import("../transfer/backup-restore.js");
      const { revision } = await backupRegistry(database, to, progressOf("backup", values, io));
      return `backed up ${database} at revision ${revision} to ${to}`;
    },
  },
  restore: {
    usage: `usage: model-registry restore [--from FILE] [--database URL]
  With --from (SQLite): replaces the stopped server's database file with the backup FILE, keeping
  the old file beside it. Without --from (after pg_restore, or a file copied by hand): marks the
  database as restored. Either way revisions and ids move past everything issued before, so Watch
  clients holding older revisions get OUT_OF_RANGE and list again.`,
    flags: ["from"],
    async run(values, database, io) {
      const { restoreRegistry } = await import("../transfer/backup-restore.js");
      const { counters, kept } = await restoreRegistry(database, values.from, progressOf("restore", values, io));
      const previous = kept ? `; the replaced file is kept as ${kept}` : "";
      return `restored ${database}: new revisions start after ${counters.revision}, new ids after ${counters.lastId}${previous}`;
    },
  },
  export: {
    usage: `usage: model-registry export [--to FILE] [--database URL]
  Writes every resource, alias history, lineage, deployment and the event log as JSON Lines to FILE
  (default: stdout), from one consistent snapshot; the server may keep running.`,
    flags: ["to"],
    async run(values, database, io) {
      const [{ exportRegistry }, { openTransferStore }] = await Promise.all([
        import("../transfer/export-registry.js"),
        import("../store/kysely/transfer/open-transfer-store.js"),
      ]);
      const store = await openTransferStore({ database, migrate: "none", mustExist: true });
      const to = values.to === undefined || values.to === "-" ? undefined : values.to;
      const out = to === undefined ? io.stdout : createWriteStream(`${to}.partial`);
      try {
        const { records, header } = await exportRegistry(store, (chunk) => write(out, chunk), progressOf("export", values, io));
        if (to !== undefined) {
          out.end();
          await once(out, "finish");
          renameSync(`${to}.partial`, to);
        }
        return `exported ${records} records at revision ${header.counters.revision} to ${to ?? "stdout"}`;
      } catch (error) {
        if (to !== undefined) rmSync(`${to}.partial`, { force: true });
        throw error;
      } finally {
        await store.close();
      }
    },
  },
  import: {
    usage: `usage: model-registry import --from FILE [--database URL] [--batch-size N]
       model-registry import --from-kubeflow URL [--database URL] [--page-size N] [--token TOKEN]
  --from FILE: loads an export into an empty registry (refused when it is not empty). Safe to run
  again: an interrupted import resumes, a finished one is left alone.
  --from-kubeflow URL: copies models, versions, artifacts, experiments and runs from a Kubeflow
  Model Registry's REST API (URL: its base, e.g. http://host:8080); again safe to run again.`,
    flags: ["from", "from-kubeflow", "batch-size", "page-size", "token"],
    async run(values, database, io) {
      if ((values.from === undefined) === (values["from-kubeflow"] === undefined)) {
        throw new UsageError("give either --from FILE or --from-kubeflow URL", this.usage);
      }
      if (values["from-kubeflow"] !== undefined) {
        const { runKubeflowImport } = await import("../transfer/kubeflow/run-kubeflow-import.js");
        return runKubeflowImport({
          source: values["from-kubeflow"],
          database,
          pageSize: positive(values, "page-size", 100, this.usage),
          ...(values.token !== undefined ? { token: values.token } : {}),
          progress: progressOf("import", values, io),
        });
      }
      const [{ importRegistry }, { openTransferStore }] = await Promise.all([
        import("../transfer/import-registry.js"),
        import("../store/kysely/transfer/open-transfer-store.js"),
      ]);
      const result = await importRegistry({
        file: values.from!,
        open: (migrate) => openTransferStore({ database, migrate }),
        progress: progressOf("import", values, io),
        batchSize: positive(values, "batch-size", 1000, this.usage),
      });
      if (result.outcome === "already-imported") return `${database} already holds this export (${result.header.exportId}): nothing to do`;
      return `${result.outcome} ${result.records} records into ${database}: new revisions start after ${result.counters.revision}, new ids after ${result.counters.lastId}`;
    },
  },
};

/** A command line mistake: exit code 2 with the command's usage. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/**
 * Runs backup, restore, export or import and returns the exit code: 0 on success, 1 when the
 * operation failed or was refused (one message on stderr), 2 on a usage mistake.
 */
export async function runOperationCommand(argv: string[], env: NodeJS.ProcessEnv, io: OperationIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!isOperationCommand(name)) throw new Error(`not an operation command: ${name}`);
  const command = COMMANDS[name];
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(`${command.usage}\n\n${COMMON_USAGE}\n`);
      return 0;
    }
    const values = parse(rest, [...command.flags, "database", "progress", "progress-interval"], command.usage);
    const database = values.database ?? env.DATABASE_URL ?? DEFAULT_DATABASE;
    const summary = await command.run(values, database, io);
    // Export may be writing its data to stdout: the summary goes to stderr there.
    (name === "export" && (values.to === undefined || values.to === "-") ? io.stderr : io.stdout).write(`${summary}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`model-registry ${name}: ${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    io.stderr.write(`model-registry ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function parse(argv: string[], flags: readonly string[], usage: string): Values {
  for (const arg of argv) {
    const flag = /^--([^=]+)/.exec(arg)?.[1];
    if (flag !== undefined && !flags.includes(flag)) {
      const guess = suggestName(flag, flags);
      throw new UsageError(`unknown flag --${flag}${guess ? `; did you mean --${guess}?` : ""}`, usage);
    }
  }
  try {
    const options = Object.fromEntries(flags.map((f) => [f, { type: "string" as const }]));
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : undefined]));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message.split("\n")[0]! : String(error), usage);
  }
}

function required(values: Values, flag: string, usage: string): string {
  const value = values[flag];
  if (value === undefined || value === "") throw new UsageError(`--${flag} is required`, usage);
  return value;
}

function positive(values: Values, flag: string, fallback: number, usage: string): number {
  const text = values[flag];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--${flag} must be a whole number from 1 to 100000`, usage);
  return n;
}

function progressOf(operation: string, values: Values, io: OperationIo) {
  const mode = values.progress ?? "auto";
  if (!isProgressMode(mode)) throw new UsageError("--progress must be auto, bar, json or off", COMMON_USAGE);
  const interval = values["progress-interval"];
  if (interval !== undefined && !/^\d{1,7}$/.test(interval))
    throw new UsageError("--progress-interval must be a whole number of milliseconds", COMMON_USAGE);
  return createProgressReporter(operation, io.stderr, mode, { intervalMs: interval === undefined ? undefined : Number(interval) });
}

function isProgressMode(mode: string): mode is ProgressMode {
  return ["auto", "bar", "json", "off"].includes(mode);
}

/** Writes a chunk, waiting for the stream to drain when it asks to. */
async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}
