import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { codeOnly, cycles, type ScannedFile, scanSources } from "./support/source-scan.js";

/**
 * The architecture ratchet (issue 17): counts of what the codebase's rules forbid, measured on
 * src/ and compared with a baseline. A count above its baseline fails (a change made the shape
 * worse); a count below it fails too, asking for the baseline to be lowered, so an improvement
 * cannot be undone unnoticed. Done is every number at zero. docs/architecture.md has the rules.
 */
const BASELINE = {
  /** Files that sit on an import cycle with other files (type-only imports count). */
  filesInCycles: 0,
  /** Folders of src/ that sit on an import cycle with other folders. */
  foldersInCycles: 0,
  /** Lines with an `any` type, outside migrations. */
  anyLines: 0,
  /** Lines with an `as unknown as` double cast, outside migrations. */
  doubleCastLines: 0,
  /** Files over 300 lines, outside migrations. */
  filesOver300Lines: 0,
  /** Lines outside the domain (src/registry) and the store (src/store) that take the store from the domain. */
  rawStoreAccess: 0,
};

const MAX_LINES = 300;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const isMigration = (path: string): boolean => path.startsWith("src/store/kysely/migrations/");
const isDomainOrStore = (path: string): boolean => path.startsWith("src/registry/") || path.startsWith("src/store/");

/** A file's folder: its directory under src/ ("store/kysely"); files at the top of src/ stand alone. */
function folderOf(path: string): string {
  const dir = dirname(path);
  return dir === "src" ? path : dir.slice("src/".length);
}

function measure(files: ScannedFile[]) {
  const fileEdges = new Map(files.map((file) => [file.path, new Set(file.imports)]));
  const folderEdges = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file.path);
    const targets = folderEdges.get(from) ?? new Set<string>();
    for (const target of file.imports) if (folderOf(target) !== from) targets.add(folderOf(target));
    folderEdges.set(from, targets);
  }
  const counted = files.filter((file) => !isMigration(file.path));
  const fileCycles = cycles(fileEdges);
  const folderCycles = cycles(folderEdges);
  const where = (pick: (file: ScannedFile) => number[]) => counted.flatMap((file) => pick(file).map((line) => `${file.path}:${line}`));
  const details = {
    fileCycles,
    folderCycles,
    anyLines: where((file) => file.anyLines),
    doubleCastLines: where((file) => file.doubleCastLines),
    filesOver300Lines: counted.filter((file) => file.lines > MAX_LINES).map((file) => `${file.path} (${file.lines})`),
    rawStoreAccess: where((file) => (isDomainOrStore(file.path) ? [] : file.rawStoreLines)),
  };
  const counts = {
    filesInCycles: fileCycles.reduce((sum, cycle) => sum + cycle.length, 0),
    foldersInCycles: folderCycles.reduce((sum, cycle) => sum + cycle.length, 0),
    anyLines: details.anyLines.length,
    doubleCastLines: details.doubleCastLines.length,
    filesOver300Lines: details.filesOver300Lines.length,
    rawStoreAccess: details.rawStoreAccess.length,
  };
  return { counts, details };
}

describe("architecture ratchet", () => {
  const { counts, details } = measure(scanSources(root, "src"));

  for (const key of Object.keys(BASELINE) as (keyof typeof BASELINE)[]) {
    it(`${key} does not rise above ${BASELINE[key]} (and the baseline follows it down)`, () => {
      const what = JSON.stringify(details[key === "filesInCycles" ? "fileCycles" : key === "foldersInCycles" ? "folderCycles" : key], null, 1);
      if (counts[key] > BASELINE[key]) {
        expect.fail(`${key} rose from ${BASELINE[key]} to ${counts[key]}: ${what}`);
      }
      if (counts[key] < BASELINE[key]) {
        expect.fail(`${key} fell from ${BASELINE[key]} to ${counts[key]}: lower its baseline in test/architecture.test.ts`);
      }
    });
  }
});

describe("source scan", () => {
  it("finds a cycle of three and ignores a chain", () => {
    const edges = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a", "d"])],
      ["d", new Set<string>()],
    ]);
    expect(cycles(edges)).toEqual([["a", "b", "c"]]);
  });

  it("blanks comments, strings, templates and regular expressions, keeping lines", () => {
    const text = ['const a: any = "any // x"; // any', "/* any", "any */ const r = /an'y/g;", "const t = `any ${call.registry.read(`${x}`)}`;"].join(
      "\n",
    );
    const code = codeOnly(text);
    expect(code.split("\n")).toHaveLength(4);
    expect(code.match(/any/g)).toHaveLength(1);
    expect(code).toContain("const r =");
    expect(code).toContain("call.registry.read(");
  });
});
