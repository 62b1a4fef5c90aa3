import { describe, expect, it } from "vitest";
import { createProgressReporter } from "../../src/cli/progress-reporter.js";
import { OPERATION_COMMAND_NAMES } from "../../src/cli/client-command-names.js";
import { runOperation } from "../support/operations.js";
import { runCli } from "../support/process.js";

describe("backup, restore, export and import on the command line", () => {
  for (const name of OPERATION_COMMAND_NAMES) {
    it(`${name} --help exits 0 and names --database and --progress`, async () => {
      const res = await runOperation([name, "--help"]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`usage: model-registry ${name}`);
      expect(res.stdout).toContain("--database URL");
      expect(res.stdout).toContain("--progress MODE");
    });
  }

  it("a misspelled flag gets the closest one, a missing one the usage (exit code 2)", async () => {
    const misspelled = await runOperation(["import", "--form", "x.jsonl"]);
    expect(misspelled.code).toBe(2);
    expect(misspelled.stderr).toMatch(/^model-registry import: unknown flag --form; did you mean --from\?/);
    const missing = await runOperation(["backup"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--to is required[\s\S]*usage: model-registry backup/);
    const neither = await runOperation(["import"]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/either --from FILE or --from-kubeflow URL/);
  });

  it("refuses to export a SQLite file that is not there instead of creating it", async () => {
    const res = await runOperation(["export", "--database", "sqlite:/nonexistent/registry.db"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/no database at \/nonexistent\/registry.db/);
  });

  it("is dispatched by main.ts, listed in its usage and suggested for a typo", async () => {
    const help = await runCli(["help", "export"]);
    expect(help.code).toBe(0);
    expect(help.output).toContain("usage: model-registry export");
    const usage = await runCli(["--help"]);
    for (const name of OPERATION_COMMAND_NAMES) expect(usage.output).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    const typo = await runCli(["exprot"]);
    expect(typo.code).toBe(2);
    expect(typo.output).toContain('did you mean "export"?');
  }, 60_000);
});

describe("progress of a long operation", () => {
  const stream = (isTTY: boolean) => {
    let text = "";
    return { isTTY, columns: 100, write: (chunk: string) => (text += chunk), text: () => text };
  };

  it("is JSON lines when stderr is not a terminal", () => {
    const out = stream(false);
    let t = 0;
    const progress = createProgressReporter("import", out, "auto", { now: () => t });
    progress.phase("import", 10);
    progress.update(3); // within the interval: not written
    t += 1000;
    progress.update(5);
    progress.update(10);
    progress.end();
    expect(
      out
        .text()
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { operation: "import", phase: "import", done: 0, total: 10 },
      { operation: "import", phase: "import", done: 5, total: 10 },
      { operation: "import", phase: "import", done: 10, total: 10 },
    ]);
  });

  it("writes a line per step with an interval of 0", () => {
    const out = stream(false);
    const progress = createProgressReporter("import", out, "json", { intervalMs: 0, now: () => 0 });
    progress.phase("import", 3);
    for (const done of [1, 2, 3]) progress.update(done);
    expect(
      out
        .text()
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { done: number }).done),
    ).toEqual([0, 1, 2, 3]);
  });

  it("is a bar redrawn in place on a terminal", () => {
    const out = stream(true);
    const progress = createProgressReporter("export", out, "auto", { now: () => 0 });
    progress.phase("export", 4);
    progress.update(4);
    progress.end();
    expect(out.text()).toMatch(/^\rexport export +\[-+\] +0% 0\/4\rexport export +\[#+\] 100% 4\/4\n$/);
  });
});
