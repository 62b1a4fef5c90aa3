// Reads the fenced code blocks of a Markdown document and the docs-test markers around them.
//
// Markers are HTML comments on a line of their own (invisible on GitHub, visible in the source):
//
//   <!-- docs-test: serve FLAGS... -->      (re)start the document's server with these flags from here on
//   <!-- docs-test: env NAME=VALUE... -->   environment for the blocks and servers that follow
//   <!-- docs-test: skip REASON -->         the next block does not run; REASON is required
//   <!-- docs-test: timeout 3s -->          the next block is stopped with SIGINT after 3 s (output so far compared)
//
// `skip` and `timeout` apply to the next fenced block and must come right before it (blank lines
// allowed). See docs/development.md.

/** Languages whose blocks run. */
export const RUNNABLE = {
  sh: "sh",
  bash: "sh",
  shell: "sh",
  console: "console",
  python: "python",
  py: "python",
  ts: "ts",
  typescript: "ts",
} as const;
export type Kind = (typeof RUNNABLE)[keyof typeof RUNNABLE];

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  kind: Kind | undefined;
  code: string;
  skip?: string;
  timeoutMs?: number;
  /** The server flags and environment in force for this block (after every marker before it). */
  serve: string[];
  /** Bumped by every `serve` marker: a block whose generation differs from the running server's restarts it. */
  serveGeneration: number;
  env: Record<string, string>;
}

export interface ParsedDocument {
  blocks: Block[];
  /** Markers that are malformed or misplaced; the docs test fails on any. */
  errors: string[];
}

const MARKER = /^\s*<!--\s*docs-test:(.*?)-->\s*$/;
const FENCE = /^(\s*)(```+|~~~+)\s*([^\s`]*)[^`]*$/;

/** Splits a marker's arguments like a shell would for simple words and '…'/"…" quoting. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of s.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export function parseDocument(text: string, file: string): ParsedDocument {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  const errors: string[] = [];
  let serve: string[] = [];
  let serveGeneration = 0;
  let env: Record<string, string> = {};
  let pending: { skip?: string; timeoutMs?: number; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = MARKER.exec(line);
    if (marker) {
      const body = marker[1]!.trim();
      const [directive = "", ...rest] = body.split(/\s+/);
      const args = body.slice(directive.length).trim();
      const where = `${file}:${i + 1}`;
      if (directive === "serve") {
        serve = splitArgs(args);
        serveGeneration++;
      } else if (directive === "env") {
        env = { ...env };
        for (const pair of splitArgs(args)) {
          const eq = pair.indexOf("=");
          if (eq <= 0) errors.push(`${where}: env wants NAME=VALUE, got ${JSON.stringify(pair)}`);
          else env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
      } else if (directive === "skip") {
        const reason = args.replace(/^\((.*)\)$/, "$1").trim();
        if (!reason) errors.push(`${where}: a skip marker needs a reason: <!-- docs-test: skip REASON -->`);
        pending = { ...pending, skip: reason || "(no reason given)", line: i + 1 };
      } else if (directive === "timeout") {
        const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(rest[0] ?? "");
        if (!m || rest.length !== 1) errors.push(`${where}: timeout wants a duration such as 3s or 500ms, got ${JSON.stringify(args)}`);
        else pending = { ...pending, timeoutMs: Number(m[1]) * (m[2] === "s" ? 1000 : 1), line: i + 1 };
      } else {
        errors.push(`${where}: unknown docs-test marker ${JSON.stringify(directive)} (serve, env, skip, timeout)`);
      }
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const indent = fence[1]!.length;
      const close = new RegExp(`^\\s*${fence[2]![0] === "`" ? "`" : "~"}{${fence[2]!.length},}\\s*$`);
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !close.test(lines[j]!); j++) {
        const l = lines[j]!;
        body.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
      }
      const lang = fence[3]!.toLowerCase();
      const kind = (RUNNABLE as Record<string, Kind>)[lang];
      if (pending && !kind)
        errors.push(`${file}:${pending.line}: marker before a block that does not run (\`\`\`${lang || "no language"}, line ${i + 1})`);
      blocks.push({
        line: i + 1,
        lang,
        kind,
        code: body.join("\n") + "\n",
        ...(pending?.skip !== undefined ? { skip: pending.skip } : {}),
        ...(pending?.timeoutMs !== undefined ? { timeoutMs: pending.timeoutMs } : {}),
        serve,
        serveGeneration,
        env,
      });
      pending = undefined;
      i = j;
      continue;
    }
    if (pending && line.trim() !== "") {
      errors.push(`${file}:${pending.line}: a skip or timeout marker must come right before a fenced block`);
      pending = undefined;
    }
  }
  if (pending) errors.push(`${file}:${pending.line}: a skip or timeout marker with no block after it`);
  return { blocks, errors };
}

export interface ConsoleStep {
  /** The command as bash runs it (continuation lines joined by newlines). */
  command: string;
  expected: string;
}

/**
 * A `console` block: `$ ` starts a command, `> ` continues it (as bash's PS2 shows), and the lines
 * after it up to the next `$ ` are its expected output.
 */
export function parseConsole(code: string): ConsoleStep[] {
  const steps: ConsoleStep[] = [];
  let current: { command: string[]; output: string[] } | undefined;
  const flush = () => current && steps.push({ command: current.command.join("\n"), expected: current.output.join("\n") });
  for (const line of code.replace(/\n$/, "").split("\n")) {
    if (line.startsWith("$ ") || line === "$") {
      flush();
      current = { command: [line.slice(2)], output: [] };
    } else if (current && current.output.length === 0 && (line.startsWith("> ") || line === ">")) {
      current.command.push(line.slice(2));
    } else if (current) {
      current.output.push(line);
    } else if (line.trim() !== "") {
      throw new Error(`a console block starts with output, not a "$ " command: ${JSON.stringify(line)}`);
    }
  }
  flush();
  return steps;
}

/**
 * Expected output written as trailing comments: `print(x)  # text` (Python) or
 * `console.log(x);  // text` (TypeScript). A trailing `(…)` remark in the comment is not compared.
 */
export function commentExpectations(code: string, kind: "python" | "ts"): string[] {
  const re = kind === "python" ? /^\s*print\(.*\)\s{2,}#\s(.*)$/ : /^\s*console\.log\(.*\);?\s{2,}\/\/\s(.*)$/;
  const out: string[] = [];
  for (const line of code.split("\n")) {
    const m = re.exec(line);
    if (m) out.push(m[1]!.replace(/\s*\([^()]*\)\s*$/, "").trim());
  }
  return out;
}
