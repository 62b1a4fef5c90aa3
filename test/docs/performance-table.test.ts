import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCS_PAGE, docsRows, withCurrentTable } from "../../bench/docs-table.js";

describe("the performance table of docs/performance.md", () => {
  it("is the one npm run bench:docs makes from bench/results (run it after a benchmark run)", () => {
    const page = readFileSync(DOCS_PAGE, "utf8");
    expect(page).toBe(withCurrentTable(page));
  });

  it("names each row by what it measures, not by goal number, and covers every goal measured", () => {
    const rows = docsRows();
    expect(new Set(rows.map((r) => r.goal))).toEqual(new Set(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]));
    const page = readFileSync(DOCS_PAGE, "utf8");
    expect(page).not.toMatch(/^\| \d+( \(ref\))? \|/m);
  });
});
