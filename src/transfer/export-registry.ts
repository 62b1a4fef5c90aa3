import { randomUUID } from "node:crypto";
import type { TransferStore } from "../registry/ports/transfer-store.js";
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, type ExportHeader } from "./export-format.js";
import type { Progress } from "./progress.js";

/** Where export lines go: resolves once the chunk may be followed by the next (back-pressure). */
export type LineSink = (chunk: string) => Promise<void>;

/** Bytes collected before a write. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Writes every table of the registry, from one consistent snapshot, as an export file
 * (export-format.ts). The registry may be serving meanwhile. Returns the header and row count.
 */
export async function exportRegistry(store: TransferStore, sink: LineSink, progress: Progress): Promise<{ header: ExportHeader; records: number }> {
  let header: ExportHeader | undefined;
  let buffer = "";
  let records = 0;
  const write = async (line: string) => {
    buffer += `${line}\n`;
    if (buffer.length >= CHUNK_BYTES) {
      const chunk = buffer;
      buffer = "";
      await sink(chunk);
    }
  };
  await store.exportSnapshot(
    async (info) => {
      header = {
        format: EXPORT_FORMAT,
        version: EXPORT_FORMAT_VERSION,
        exportId: randomUUID(),
        exportedAt: new Date().toISOString(),
        dialect: store.dialect,
        migrations: info.migrations,
        counters: info.counters,
        tables: Object.fromEntries(info.rows.map((r) => [r.table, r.count])),
      };
      progress.phase(
        "export",
        info.rows.reduce((sum, r) => sum + r.count, 0),
      );
      await write(JSON.stringify(header));
    },
    async (record) => {
      await write(JSON.stringify(record));
      records++;
      if (records % 500 === 0) progress.update(records);
    },
  );
  await write(JSON.stringify({ end: true, records }));
  if (buffer) await sink(buffer);
  progress.update(records);
  progress.end();
  return { header: header!, records };
}
