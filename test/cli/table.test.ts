import { describe, expect, it } from "vitest";
import { type FixedColumn, formatFixedRow } from "../../src/cli/table.js";

const COLUMNS: FixedColumn[] = [
  { header: "REV", width: 4 },
  { header: "RESOURCE", width: 10 },
  { header: "WHAT", width: 8, truncate: true },
  { header: "ACTOR", width: 6 },
  { header: "REASON", width: 10, truncate: true },
];

describe("formatFixedRow", () => {
  it("starts each column at the sum of the widths before it plus two spaces each, whatever the text", () => {
    expect(formatFixedRow(COLUMNS, ["7", "m/1", "a", "bob", "why"])).toBe("7     m/1         a         bob     why");
    expect(formatFixedRow(COLUMNS, ["1234", "m/1/v/2", "model x", "alice", "because"])).toBe("1234  m/1/v/2     model x   alice   because");
  });

  it("prints empty cells as - and leaves no trailing spaces", () => {
    expect(formatFixedRow(COLUMNS, ["7", "m/1", "", "bob", ""])).toBe("7     m/1         -         bob     -");
  });

  it("cuts text wider than a truncating column with an ellipsis", () => {
    expect(formatFixedRow(COLUMNS, ["7", "m/1", "artifact s3://b/m", "bob", "a very long reason"])).toBe(
      "7     m/1         artifac…  bob     a very lo…",
    );
  });

  it("lets a wide cell of a column that may not be cut push the next one, and puts the later ones back in place", () => {
    const line = formatFixedRow(COLUMNS, ["7", "m/1/v/2/artifacts/3", "a", "bob", "why"]);
    expect(line).toBe("7     m/1/v/2/artifacts/3  a  bob   why");
    expect(line.indexOf("why")).toBe(formatFixedRow(COLUMNS, ["7", "m/1", "a", "bob", "why"]).indexOf("why"));
  });

  it("flattens line breaks and tabs in a cell to one space", () => {
    expect(formatFixedRow(COLUMNS, ["7", "m/1", "a", "bob", "two\nlines"])).toBe("7     m/1         a         bob     two lines");
  });
});
