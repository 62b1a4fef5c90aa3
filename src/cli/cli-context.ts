import { parseArgs } from "node:util";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";

/** The server a client command talks to when neither --server nor MODEL_REGISTRY_SERVER says. */
export const DEFAULT_SERVER = "http://127.0.0.1:8080";

/** A mistake in the command line: printed with the command's usage, exit code 2. */
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
  server: string;
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
  --actor NAME     who is making changes, sent as x-actor [MODEL_REGISTRY_ACTOR, USER]
  --json           print JSON (proto3 JSON of the resources) instead of tables
`;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** Parses a command's arguments (flags may come anywhere); unknown flags are usage errors. */
export function parseCommandArgs(argv: string[], options: OptionSpec, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message.split("\n")[0]! : String(error), usage);
  }
}

/** The context for parsed global flags and the environment. */
export function createCliContext(values: ParsedArgs["values"], env: NodeJS.ProcessEnv, io: CliIo): CliContext {
  const server = (values.server as string | undefined) ?? (env.MODEL_REGISTRY_SERVER || DEFAULT_SERVER);
  if (!/^https?:\/\/[^/]+/.test(server)) throw new CliUsageError(`--server must be an http:// or https:// URL, got "${server}"`);
  const actor = (values.actor as string | undefined) ?? (env.MODEL_REGISTRY_ACTOR || env.USER || "");
  return {
    client: createCliClient(server, actor, env.MODEL_REGISTRY_TOKEN || undefined),
    server,
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
function createCliClient(server: string, actor: string, token: string | undefined): RegistryClient {
  const headers: Interceptor = (next) => (req) => {
    if (actor) req.header.set("x-actor", actor);
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(ModelRegistryService, createConnectTransport({ baseUrl: server.replace(/\/+$/, ""), httpVersion: "1.1", interceptors: [headers] }));
}
