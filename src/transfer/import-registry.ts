import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type Counters, ImportRecordError, NotEmptyError, type TransferRecord, type TransferStore } from "../registry/ports/transfer-store.js";
import { ExportFormatError, type ExportHeader, parseBody, parseHeader } from "./export-format.js";
import type { Progress } from "./progress.js";
import { countersPast } from "./revision-floor.js";

export interface ImportOptions {
  /** The export file (a file, not a pipe: it is read twice, and again by a re-run). */
  file: string;
  /** Opens the target, migrated up to the given migration (the export's schema) or "latest". */
  open(migrate: string): Promise<TransferStore>;
  progress: Progress;
  /** Records per transaction (default 1000); each commits with the import's position. */
  batchSize?: number;
}

export interface ImportResult {
  header: ExportHeader;
  /** "imported", "resumed" (an earlier run was interrupted) or "already-imported" (nothing to do). */
  outcome: "imported" | "resumed" | "already-imported";
  records: number;
  counters: Counters;
}

/**
 * Loads an export into an empty registry. The file is checked whole first (JSON, the end line,
 * the row count), then loaded in batches, each committed with the import's position: a re-run
 * after a crash or SIGKILL resumes after the last committed batch, and a re-run after success
 * changes nothing. The counters move past the source's (revision-floor.ts) before the first row.
 */
export async function importRegistry(options: ImportOptions): Promise<ImportResult> {
  const { progress } = options;
  const header = await checkFile(options.file, progress);
  const records = Object.values(header.tables).reduce((sum, n) => sum + n, 0);
  const last = header.migrations.at(-1);
  if (last === undefined) throw new ExportFormatError("the header names no migrations");
  const store = await options.open(last);
  let outcome: ImportResult["outcome"];
  let counters: Counters;
  try {
    const migrations = await store.migrations();
    if (migrations.join() !== header.migrations.join()) {
      throw new NotEmptyError(
        `the database's schema (${migrations.at(-1) ?? "none"}) is not the export's (${last}): import into a new, empty database`,
      );
    }
    const state = await store.importProgress();
    if (state && state.exportId !== header.exportId) throw new NotEmptyError(`the database already holds another import (${state.exportId})`);
    if (state?.finished) {
      outcome = "already-imported";
    } else {
      outcome = state ? "resumed" : "imported";
      if (!state) await store.beginImport(header.exportId, countersPast(header.counters));
      await load(store, options, header.exportId, state?.recordsApplied ?? 0, records);
      await store.finishImport(header.exportId);
    }
    counters = await store.counters();
  } finally {
    await store.close();
  }
  // The export's schema may be older than this release's: bring it up to date now the rows are in.
  await (await options.open("latest")).close();
  progress.end();
  return { header, outcome, records, counters };
}

/** Reads the file once: every line parses, the end line is there and the row count matches. */
async function checkFile(file: string, progress: Progress): Promise<ExportHeader> {
  let header: ExportHeader | undefined;
  let count = 0;
  let ended = false;
  let lineNumber = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lineNumber++;
    if (lineNumber === 1) {
      header = parseHeader(line);
      progress.phase(
        "check",
        Object.values(header.tables).reduce((sum, n) => sum + n, 0),
      );
      continue;
    }
    if (ended) throw new ExportFormatError(`line ${lineNumber} follows the end line`);
    const body = parseBody(line, lineNumber);
    if ("end" in body) {
      if (body.records !== count) throw new ExportFormatError(`the end line counts ${body.records} records, the file holds ${count}`);
      ended = true;
    } else if (++count % 1000 === 0) progress.update(count);
  }
  if (!header) throw new ExportFormatError("the file is empty");
  if (!ended) throw new ExportFormatError(`the file ends without its end line after ${count} records: was the export interrupted?`);
  const expected = Object.values(header.tables).reduce((sum, n) => sum + n, 0);
  if (expected !== count) throw new ExportFormatError(`the header counts ${expected} records, the file holds ${count}`);
  progress.update(count);
  return header;
}

/** Streams the records after the first `skip` into the store, batch by batch. */
async function load(store: TransferStore, options: ImportOptions, exportId: string, skip: number, total: number): Promise<void> {
  const batchSize = options.batchSize ?? 1000;
  options.progress.phase("import", total);
  options.progress.update(skip);
  let index = 0;
  let lineNumber = 1;
  let batch: TransferRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await store.importBatch(exportId, batch, index);
    } catch (error) {
      if (error instanceof ImportRecordError) throw new ExportFormatError(`records before line ${lineNumber + 1}: ${error.message}`);
      throw error;
    }
    batch = [];
    options.progress.update(index);
  };
  const lines = createInterface({ input: createReadStream(options.file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (lineNumber++ === 1) continue;
    const body = parseBody(line, lineNumber);
    if ("end" in body) break;
    if (index++ < skip) continue;
    batch.push(body);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
}
