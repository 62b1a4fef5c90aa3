import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { identityHeaders, type RegistryClient } from "../client/create-registry-client.js";
import { suggestName } from "../did-you-mean.js";

/** The server a client command talks to when neither --server nor MODEL_REGISTRY_SERVER says. */
export const DEFAULT_SERVER = "http://127.0.0.1:8080";

/** A mistake in the command line: printed with the command's usage (when given), exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
  constructor(
    message: string,
    readonly usage = "",
  ) {
    super(message);
  }
}

/** What a client command gets: the typed client, the output mode and a writer. */
export interface CliContext {
  client: RegistryClient;
  /** The WebhookService on the same server (the webhooks commands). */
  webhooks: Client<typeof WebhookService>;
  server: string;
  /** Who makes the changes (sent as x-actor): --actor, MODEL_REGISTRY_ACTOR or the OS user name. */
  actor: string;
  json: boolean;
  /** Writes a line (or several) to stdout. */
  print(text: string): void;
  /** Writes a JSON value to stdout, pretty-printed. */
  printJson(value: unknown): void;
  /** Writes a status line (not output) to stderr. */
  status(text: string): void;
  /** Aborted when the command should stop early (commands that run until Ctrl-C also stop on SIGINT). */
  signal: AbortSignal;
}

/** Where a client command writes, and what can stop it (tests run commands in process). */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** Flags every client command takes. */
export const GLOBAL_OPTIONS = {
  server: { type: "string" },
  actor: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpec;

export const GLOBAL_USAGE = `global flags:
  --server URL     the registry [MODEL_REGISTRY_SERVER] (default ${DEFAULT_SERVER})
  --actor NAME     who is making changes, sent as x-actor [MODEL_REGISTRY_ACTOR]
                   (default: the OS user name)
  --json           print JSON (proto3 JSON of the resources) instead of tables
  -h, --help       print the command's usage and flags
`;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/**
 * Parses a command's arguments (flags may come anywhere). Mistakes get one line of our own, with
 * a suggestion for a misspelled flag, instead of node:util's parser text.
 */
export function parseCommandArgs(argv: string[], options: OptionSpec, usage: string): ParsedArgs {
  const all: OptionSpec = { ...GLOBAL_OPTIONS, ...options };
  checkFlags(argv, all, usage);
  try {
    const { values, positionals } = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    // checkFlags catches what parseArgs refuses; this is for a case it does not know yet.
    throw new CliUsageError(error instanceof Error ? error.message.split("\n")[0]! : String(error), usage);
  }
}

/** Refuses unknown flags (suggesting the closest one), values on switches and flags missing their value. */
function checkFlags(argv: string[], options: OptionSpec, usage: string): void {
  const shorts = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const isFlag = (text: string) =>
    text.startsWith("--") ? Object.hasOwn(options, text.slice(2).replace(/=.*$/, "")) : text.startsWith("-") && shorts.has(text.slice(1));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return;
    if (!arg.startsWith("-") || arg === "-") continue;
    const eq = arg.indexOf("=");
    const written = eq > 0 && arg.startsWith("--") ? arg.slice(0, eq) : arg;
    const name = written.startsWith("--") ? written.slice(2) : shorts.get(written.slice(1));
    const option = name !== undefined && Object.hasOwn(options, name) ? options[name] : undefined;
    if (!option) {
      const guess = written.startsWith("--") ? suggestName(written.slice(2), Object.keys(options)) : undefined;
      throw guess ? new CliUsageError(`unknown flag ${written}; did you mean --${guess}?`) : new CliUsageError(`unknown flag ${written}`, usage);
    }
    if (option.type === "boolean") {
      if (written !== arg) throw new CliUsageError(`${written} takes no value`, usage);
      continue;
    }
    if (written !== arg) continue;
    const value = argv[i + 1];
    if (value === undefined || value === "--" || isFlag(value)) throw new CliUsageError(`${written} needs a value`, usage);
    if (value.startsWith("-") && value !== "-") {
      throw new CliUsageError(`${written} needs a value, got the flag-like "${value}" (write ${written}=${value} if that is the value)`, usage);
    }
    i++;
  }
}

/**
 * The error for a subcommand that does not exist: one line with a suggestion when one is close
 * (`versions lsit` → "versions list"), else with the command's usage.
 */
export function unknownSubcommand(command: string, sub: string | undefined, subcommands: readonly string[], usage: string): CliUsageError {
  if (!sub) return new CliUsageError("missing subcommand", usage);
  const guess = suggestName(sub, subcommands);
  return guess
    ? new CliUsageError(`unknown subcommand "${command} ${sub}"; did you mean "${command} ${guess}"?`)
    : new CliUsageError(`unknown subcommand "${command} ${sub}"`, usage);
}

/** A command's subcommands by name, in the order its usage lists them. */
export type Subcommands = Record<string, (ctx: CliContext, args: ParsedArgs) => Promise<void>>;

/** Runs the subcommand the first positional names, with the positionals after it. */
export async function runSubcommand(command: string, subcommands: Subcommands, usage: string, ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [sub, ...rest] = args.positionals;
  const run = sub !== undefined && Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (!run) throw unknownSubcommand(command, sub, Object.keys(subcommands), usage);
  return run(ctx, { ...args, positionals: rest });
}

/**
 * The actor when --actor is absent: MODEL_REGISTRY_ACTOR, else the OS user name ($USER is unset
 * in many containers, but the passwd entry is there), else $USER; empty when none is known (the
 * server then records "anonymous"). userInfo throws when the uid has no passwd entry.
 */
export function defaultActor(env: NodeJS.ProcessEnv, osUserName: () => string = () => userInfo().username): string {
  if (env.MODEL_REGISTRY_ACTOR) return env.MODEL_REGISTRY_ACTOR;
  try {
    const name = osUserName();
    if (name) return name;
  } catch {
    // No passwd entry for this uid (a container run with --user 12345): fall through.
  }
  return env.USER || "";
}

/** The context for parsed global flags and the environment. */
export function createCliContext(values: ParsedArgs["values"], env: NodeJS.ProcessEnv, io: CliIo): CliContext {
  const server = (values.server as string | undefined) ?? (env.MODEL_REGISTRY_SERVER || DEFAULT_SERVER);
  if (!/^https?:\/\/[^/]+/.test(server)) throw new CliUsageError(`--server must be an http:// or https:// URL, got "${server}"`);
  const actor = (values.actor as string | undefined) ?? defaultActor(env);
  const transport = createCliTransport(server, actor, env.MODEL_REGISTRY_TOKEN || undefined);
  return {
    client: createClient(ModelRegistryService, transport),
    webhooks: createClient(WebhookService, transport),
    server,
    actor,
    json: values.json === true,
    print: (text) => io.stdout.write(`${text}\n`),
    printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    status: (text) => io.stderr.write(`${text}\n`),
    signal: io.signal ?? new AbortController().signal,
  };
}

/** Exactly `n` positional arguments named in `names`, or a usage error. */
export function positionals(args: ParsedArgs, names: string[], usage: string): string[] {
  if (args.positionals.length !== names.length) {
    const missing = names.slice(args.positionals.length);
    const message =
      args.positionals.length < names.length
        ? `missing ${missing.map((n) => n.toUpperCase()).join(" ")}`
        : `unexpected argument "${args.positionals[names.length]}"`;
    throw new CliUsageError(message, usage);
  }
  return args.positionals;
}

/** A non-negative integer flag. */
export function intFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d+$/.test(value)) throw new CliUsageError(`--${flag} must be a non-negative integer`);
  return Number(value);
}

/**
 * The CLI's client: Connect JSON over node:http(s), HTTP/1.1. Not the fetch-based
 * createRegistryClient: Node loads its fetch (undici) on the first call, which costs a short-lived
 * command more than the call itself (bench goal 7). TLS trusts the system store and
 * NODE_EXTRA_CA_CERTS.
 */
function createCliTransport(server: string, actor: string, token: string | undefined): Transport {
  const headers = identityHeaders({ actor, token });
  return createConnectTransport({ baseUrl: server.replace(/\/+$/, ""), httpVersion: "1.1", interceptors: [headers] });
}
