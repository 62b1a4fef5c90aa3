import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { flagList } from "../../src/config/flags.js";
import { USAGE } from "../../src/config/usage.js";
import { CONFIGURATION_MD, withCurrentTable } from "./flags-table.js";

describe("the configuration reference", () => {
  const doc = readFileSync(CONFIGURATION_MD, "utf8");

  it("lists every flag as the table in src/config/flags.ts has it (npm run docs:flags rewrites it)", () => {
    expect(doc).toBe(withCurrentTable(doc));
  });

  it("and --help names every flag and environment variable of that table", () => {
    for (const flag of flagList()) {
      expect(USAGE).toContain(`--${flag.name}`);
      for (const name of flag.env) expect(USAGE).toContain(name);
    }
  });
});
