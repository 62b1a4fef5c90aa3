/**
 * A small Dockerfile reader for tests: enough of the format to check what an image runs
 * without a Docker daemon. It joins `\` continuations, drops comments and parser directives,
 * splits stages at FROM, and resolves the final stage's USER, ENV, WORKDIR, ENTRYPOINT, CMD and
 * HEALTHCHECK the way the builder does (a stage built FROM an earlier stage inherits them).
 * Not supported (throws or ignores): heredocs, `# escape=` other than `\`, `$VAR` substitution.
 */

/** One instruction, its keyword upper-cased, its arguments with continuations joined. */
export interface DockerfileInstruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface DockerfileStage {
  /** The base: an image reference or the name of an earlier stage. */
  from: string;
  /** The `AS` name, lower-cased, if any. */
  name: string | undefined;
  instructions: DockerfileInstruction[];
}

/** ENTRYPOINT, CMD or HEALTHCHECK: the argv, and whether it was written as a JSON array. */
export interface DockerCommand {
  /** Exec form as written; shell form as `["/bin/sh", "-c", text]`, as the builder runs it. */
  argv: string[];
  execForm: boolean;
}

/** What the final stage's image is configured with, after inheritance from earlier stages. */
export interface ImageConfig {
  user: string | undefined;
  env: Record<string, string>;
  workdir: string | undefined;
  entrypoint: DockerCommand | undefined;
  cmd: DockerCommand | undefined;
  /** HEALTHCHECK CMD, or "none" for HEALTHCHECK NONE. */
  healthcheck: (DockerCommand & { options: Record<string, string> }) | "none" | undefined;
  volumes: string[];
  exposes: string[];
}

export interface ParsedDockerfile {
  stages: DockerfileStage[];
  /** Config of the last stage: the image `docker build` produces by default. */
  final: ImageConfig;
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const stages: DockerfileStage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith("--"));
      const as = words.findIndex((w) => w.toLowerCase() === "as");
      stages.push({ from: words[0] ?? "", name: as >= 0 ? words[as + 1]?.toLowerCase() : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (instruction.keyword === "ARG") continue; // ARG before the first FROM is allowed
      throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
    }
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new Error("no FROM instruction");
  return { stages, final: stageConfig(stages, stages.length - 1) };
}

/**
 * The argv a container started from the image runs: an exec-form ENTRYPOINT followed by CMD
 * (a shell-form ENTRYPOINT ignores CMD), or CMD alone.
 */
export function imageCommand(config: ImageConfig): string[] {
  if (config.entrypoint) return config.entrypoint.execForm ? [...config.entrypoint.argv, ...(config.cmd?.argv ?? [])] : config.entrypoint.argv;
  return config.cmd?.argv ?? [];
}

/** Lines of a .dockerignore file: patterns in order, comments and blank lines dropped. */
export function parseDockerignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * Whether the builder leaves `path` (relative to the context root) out of the build context.
 * Docker's rules: the last matching pattern wins, `!` re-includes, `**` spans directories, and a
 * pattern that matches a directory excludes everything below it.
 */
export function isIgnored(patterns: string[], path: string): boolean {
  const parts = clean(path).split("/");
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const re = globToRegExp(clean(negate ? raw.slice(1) : raw));
    // The path itself or one of its parent directories.
    for (let n = parts.length; n >= 1; n--) {
      if (re.test(parts.slice(0, n).join("/"))) {
        ignored = !negate;
        break;
      }
    }
  }
  return ignored;
}

function clean(path: string): string {
  return path
    .trim()
    .replace(/^(\.\/|\/)+/, "")
    .replace(/\/+$/, "");
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      // "**/" matches zero or more directories; a trailing "**" matches anything.
      if (glob[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Logical instructions: comments dropped, continuations joined. */
function instructions(text: string): DockerfileInstruction[] {
  const out: DockerfileInstruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    // Comment lines (and parser directives) and blank lines are dropped, also inside a
    // continued instruction (Docker warns about a blank one there, but continues).
    if (line.startsWith("#") || line === "") return;
    const continued = /\\$/.test(line);
    const body = continued ? line.slice(0, -1).trim() : line;
    if (!pending && /^(RUN|COPY|ADD)\s.*<<-?["']?[A-Za-z_]/i.test(body)) {
      throw new Error(`line ${i + 1}: heredocs are not supported by this parser`);
    }
    pending ??= { parts: [], line: i + 1 };
    if (body !== "") pending.parts.push(body);
    if (continued) return;
    const joined = pending.parts.join(" ");
    const m = /^(\S+)\s*(.*)$/s.exec(joined);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: pending.line });
    pending = undefined;
  });
  if (pending) throw new Error(`line ${pending.line}: the file ends inside a continued instruction`);
  return out;
}

function stageConfig(stages: DockerfileStage[], index: number): ImageConfig {
  const stage = stages[index]!;
  const parent = stages.slice(0, index).findIndex((s) => s.name !== undefined && s.name === stage.from.toLowerCase());
  const config: ImageConfig =
    parent >= 0
      ? structuredClone(stageConfig(stages, parent))
      : { user: undefined, env: {}, workdir: undefined, entrypoint: undefined, cmd: undefined, healthcheck: undefined, volumes: [], exposes: [] };
  let cmdSetHere = false;
  for (const { keyword, args, line } of stage.instructions) {
    switch (keyword) {
      case "USER":
        config.user = args;
        break;
      case "WORKDIR":
        config.workdir = args.startsWith("/") || !config.workdir ? args : `${config.workdir.replace(/\/$/, "")}/${args}`;
        break;
      case "ENV":
        Object.assign(config.env, parseEnv(args, line));
        break;
      case "ENTRYPOINT":
        config.entrypoint = command(args);
        // Docker: setting ENTRYPOINT resets a CMD inherited from the base.
        if (!cmdSetHere) config.cmd = undefined;
        break;
      case "CMD":
        config.cmd = command(args);
        cmdSetHere = true;
        break;
      case "HEALTHCHECK":
        config.healthcheck = healthcheck(args, line);
        break;
      case "VOLUME":
        config.volumes.push(...jsonOrWords(args));
        break;
      case "EXPOSE":
        config.exposes.push(...args.split(/\s+/));
        break;
    }
  }
  return config;
}

/** `["a", "b"]` is exec form; anything else (including invalid JSON) is shell form, as in Docker. */
function command(args: string): DockerCommand {
  const exec = jsonArray(args);
  return exec ? { argv: exec, execForm: true } : { argv: ["/bin/sh", "-c", args], execForm: false };
}

function healthcheck(args: string, line: number): ImageConfig["healthcheck"] {
  if (/^none$/i.test(args)) return "none";
  const options: Record<string, string> = {};
  let rest = args;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    options[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  const m = /^CMD\s+(.*)$/is.exec(rest);
  if (!m) throw new Error(`line ${line}: HEALTHCHECK needs CMD or NONE`);
  return { ...command(m[1]!), options };
}

function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}

function jsonOrWords(text: string): string[] {
  return jsonArray(text) ?? text.split(/\s+/).filter((w) => w !== "");
}

/** `ENV A=b C="d e"` (several pairs, quotes, backslash escapes) or the legacy `ENV A b c`. */
function parseEnv(args: string, line: number): Record<string, string> {
  const words = shellWords(args, line);
  if (words.length > 0 && !words[0]!.includes("=")) {
    const m = /^(\S+)\s+(.*)$/s.exec(args);
    if (!m) throw new Error(`line ${line}: ENV ${args} has no value`);
    return { [m[1]!]: m[2]! };
  }
  const env: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new Error(`line ${line}: "${word}" is not NAME=value`);
    env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return env;
}

/** Splits at unquoted whitespace, removing quotes and backslash escapes. */
function shellWords(text: string, line: number): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`line ${line}: unterminated ${quote}`);
  if (inWord) words.push(word);
  return words;
}
