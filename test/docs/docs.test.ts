// Executed documentation: every shell, console, Python and TypeScript block of README.md and
// docs/*.md runs, in document order, against a fresh server per document started with the flags the
// document declares; shown output is compared. How to mark up a document: docs/development.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Block, commentExpectations, parseConsole, parseDocument } from "./markdown.js";
import { matches, missingLines, normalise } from "./normalise.js";
import { DocumentRun, prepareToolbox, REPO, type Toolbox } from "./runner.js";

/** README.md first, then every docs/*.md in alphabetical order (new files are picked up). */
const DOCUMENTS = [
  "README.md",
  ...readdirSync(join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];

const skipped: string[] = [];
let toolbox: Toolbox;

beforeAll(() => {
  toolbox = prepareToolbox();
}, 240_000);

afterAll(() => {
  if (skipped.length) console.log(`docs test: ${skipped.length} blocks skipped\n${skipped.map((s) => `  ${s}`).join("\n")}`);
  toolbox?.cleanup();
});

function withOutput(message: string, output: string): string {
  return `${message}\n--- output ---\n${output}\n--------------`;
}

for (const file of DOCUMENTS) {
  const { blocks, errors } = parseDocument(readFileSync(join(REPO, file), "utf8"), file);
  const runnable = blocks.filter((b) => b.kind);

  describe(file, () => {
    let doc: DocumentRun | undefined;
    afterAll(async () => {
      await doc?.close();
    });

    it("has valid docs-test markers (every skip has a reason)", () => {
      expect(errors).toEqual([]);
    });

    for (const block of runnable) {
      const name = `${file}:${block.line} \`\`\`${block.lang}`;
      if (block.skip !== undefined) {
        skipped.push(`${name}: ${block.skip}`);
        it.skip(`${name} (skipped: ${block.skip})`, () => {});
        continue;
      }
      it(
        name,
        async () => {
          doc ??= new DocumentRun(toolbox, file);
          await doc.ensureServer(block);
          await runBlock(doc, block);
        },
        (block.timeoutMs ?? 120_000) + 60_000,
      );
    }
  });
}

async function runBlock(doc: DocumentRun, block: Block): Promise<void> {
  const port = doc.port;
  // A block marked with a timeout runs until stopped; one that ends by itself first is not what the document says.
  const stoppedAsMarked = (r: { timedOut: boolean; output: string }) => {
    if (block.timeoutMs !== undefined && !r.timedOut)
      expect.fail(withOutput(`the block has a timeout marker but ended by itself within ${block.timeoutMs} ms`, r.output));
  };
  switch (block.kind) {
    case "sh": {
      const r = await doc.runShell(block);
      stoppedAsMarked(r);
      if (!r.timedOut) expect(r.code, withOutput("the block failed", r.output)).toBe(0);
      return;
    }
    case "console": {
      const steps = parseConsole(block.code);
      const r = await doc.runConsole(
        block,
        steps.map((s) => s.command),
      );
      stoppedAsMarked(r);
      steps.forEach((step, i) => {
        const actual = normalise(r.outputs[i] ?? "", port);
        const expected = normalise(step.expected);
        if (!matches(actual, expected)) {
          expect.fail(
            `$ ${step.command}\n--- expected (normalised) ---\n${expected}\n--- actual (normalised) ---\n${actual}\n-----------------------------`,
          );
        }
      });
      return;
    }
    case "python":
    case "ts": {
      const r = block.kind === "python" ? await doc.runPython(block) : await doc.runTypeScript(block);
      stoppedAsMarked(r);
      if (!r.timedOut) expect(r.code, withOutput("the block failed", r.output)).toBe(0);
      const missing = missingLines(
        normalise(r.output, port),
        commentExpectations(block.code, block.kind).map((e) => normalise(e)),
      );
      expect(missing, withOutput("lines the block's comments show were not printed", r.output)).toEqual([]);
      return;
    }
  }
}
