import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One source file of src/, read with the TypeScript parser (no type checker). */
export interface ScannedFile {
  /** Path relative to the repository root, e.g. "src/registry/aliases.ts". */
  path: string;
  lines: number;
  /** Static imports and re-exports (type-only included) that resolve to files of the scan. */
  imports: string[];
  /** Line numbers holding an `any` type. */
  anyLines: number[];
  /** Line numbers holding an `x as unknown as T` double cast. */
  doubleCastLines: number[];
  /** Line numbers reading the domain's store, reader, writer or recorder from a `registry` value. */
  rawStoreLines: number[];
}

/**
 * What hands out the store itself: members the domain's entry object once had (it now keeps them
 * #private, so the compiler refuses them too), and `unitOf`, the domain's own way in.
 */
const RAW_STORE_MEMBERS = ["store", "read", "write", "record"];
const RAW_STORE = new RegExp(`\\bregistry\\??\\.(${RAW_STORE_MEMBERS.join("|")})\\b|\\bunitOf\\b`, "i");

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

function resolveImport(fromFile: string, specifier: string, known: Set<string>): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = resolve(dirname(fromFile), specifier).replace(/\.js$/, ".ts");
  for (const candidate of [target, `${target}.ts`, join(target, "index.ts")]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The text with comments, string and template text and regular-expression literals blanked
 * (newlines kept, so line numbers hold; a template's `${…}` stays code): what is left is code.
 * A lexer, not a parser: enough to count what the ratchet counts without a TypeScript compiler
 * API (TypeScript 7 has none in JavaScript).
 */
export function codeOnly(text: string): string {
  const out = text.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k += 1) if (out[k] !== "\n") out[k] = " ";
  };
  // Reads code from i; inside a template expression stops at its closing brace. Returns where it stopped.
  const code = (start: number, inTemplate: boolean): number => {
    let i = start;
    let depth = 0;
    let previous = "";
    while (i < text.length) {
      const c = text[i] ?? "";
      const next = text[i + 1] ?? "";
      if (c === "/" && (next === "/" || next === "*")) {
        const end = next === "/" ? text.indexOf("\n", i) : text.indexOf("*/", i + 2);
        const stop = end === -1 ? text.length : next === "/" ? end : end + 2;
        blank(i, stop);
        i = stop;
      } else if (c === "`") {
        i = template(i + 1);
        previous = c;
      } else if (c === '"' || c === "'" || (c === "/" && /^$|[(,=:[!&|?{};+\-*%<>~^]$|\breturn$/.test(previous))) {
        let j = i + 1;
        let inClass = false;
        while (j < text.length && text[j] !== "\n") {
          const d = text[j];
          if (d === "\\") j += 1;
          else if (c === "/" && (d === "[" || d === "]")) inClass = d === "[";
          else if (d === c && !inClass) break;
          j += 1;
        }
        blank(i + 1, j);
        i = j + 1;
        previous = c;
      } else {
        if (c === "{") depth += 1;
        if (c === "}") {
          if (inTemplate && depth === 0) return i + 1;
          depth -= 1;
        }
        if (!/\s/.test(c)) previous = /[\w$]/.test(c) && /[\w$]$/.test(previous) ? previous + c : c;
        i += 1;
      }
    }
    return i;
  };
  // Reads a template's text from i (after the backtick); returns the index after its closing backtick.
  const template = (start: number): number => {
    let i = start;
    let from = start;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === "`") break;
      else if (c === "$" && text[i + 1] === "{") {
        blank(from, i);
        i = code(i + 2, true);
        from = i;
      } else i += 1;
    }
    blank(from, i);
    return i + 1;
  };
  code(0, false);
  return out.join("");
}

const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gms;

function linesMatching(code: string, pattern: RegExp): number[] {
  return code.split("\n").flatMap((line, index) => (pattern.test(line) ? [index + 1] : []));
}

function scanFile(root: string, file: string, known: Set<string>): ScannedFile {
  const text = readFileSync(file, "utf8");
  const code = codeOnly(text);
  const imports = new Set<string>();
  for (const match of text.matchAll(IMPORT)) {
    const at = match.index ?? 0;
    if (!/\b(?:import|export)\b/.test(code.slice(at, at + match[0].length))) continue;
    const target = resolveImport(file, match[1] ?? match[2] ?? "", known);
    if (target) imports.add(relative(root, target));
  }
  return {
    path: relative(root, file),
    lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0),
    imports: [...imports].sort(),
    anyLines: linesMatching(code, /(?<![\w$.])any(?![\w$])/),
    doubleCastLines: linesMatching(code, /\bas\s+unknown\s+as\b/),
    rawStoreLines: linesMatching(code, RAW_STORE),
  };
}

/** Every .ts file below `dir` (relative to `root`), parsed. */
export function scanSources(root: string, dir: string): ScannedFile[] {
  const files = listTs(join(root, dir)).sort();
  const known = new Set(files);
  return files.map((file) => scanFile(root, file, known));
}

/**
 * The strongly connected components with more than one node (Tarjan's algorithm): each is a
 * set of nodes that reach each other through the edges, i.e. an import cycle.
 */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (low.get(node) !== indices.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!indices.has(node)) connect(node);
  return found;
}
