import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ALIAS_OPTIONS, ALIAS_USAGE, aliasCommand } from "./alias-command.js";
import { type CliContext, type CliIo, CliUsageError, createCliContext, GLOBAL_USAGE, type OptionSpec, type ParsedArgs, parseCommandArgs } from "./cli-context.js";
import { type ClientCommandName, isClientCommand } from "./client-command-names.js";
import { EVENTS_OPTIONS, EVENTS_USAGE, eventsCommand } from "./events-command.js";
import { MODELS_OPTIONS, MODELS_USAGE, modelsCommand } from "./models-command.js";
import { REGISTER_OPTIONS, REGISTER_USAGE, registerCommand } from "./register-command.js";
import { VERSIONS_OPTIONS, VERSIONS_USAGE, versionsCommand } from "./versions-command.js";
import { WATCH_OPTIONS, WATCH_USAGE, watchCommand } from "./watch-command.js";

interface ClientCommand {
  options: OptionSpec;
  usage: string;
  run(ctx: CliContext, args: ParsedArgs, actor: string): Promise<void>;
}

/** The commands that talk to a running server (the others run one). */
const COMMANDS: Record<ClientCommandName, ClientCommand> = {
  models: { options: MODELS_OPTIONS, usage: MODELS_USAGE, run: modelsCommand },
  versions: { options: VERSIONS_OPTIONS, usage: VERSIONS_USAGE, run: versionsCommand },
  register: { options: REGISTER_OPTIONS, usage: REGISTER_USAGE, run: registerCommand },
  alias: { options: ALIAS_OPTIONS, usage: ALIAS_USAGE, run: aliasCommand },
  events: { options: EVENTS_OPTIONS, usage: EVENTS_USAGE, run: eventsCommand },
  watch: { options: WATCH_OPTIONS, usage: WATCH_USAGE, run: watchCommand },
};

/**
 * Runs a client command and returns the exit code: 0 on success, 1 when the call failed (one
 * line on stderr: the message, the code and the reason), 2 on a usage mistake.
 */
export async function runClientCommand(argv: string[], env: NodeJS.ProcessEnv, io: CliIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!isClientCommand(name)) throw new Error(`not a client command: ${name}`);
  const command = COMMANDS[name];
  let server = "";
  try {
    const args = parseCommandArgs(rest, command.options, command.usage);
    if (args.values.help) {
      io.stdout.write(`${command.usage}\n${GLOBAL_USAGE}`);
      return 0;
    }
    const ctx = createCliContext(args.values, env, io);
    server = ctx.server;
    const actor = (args.values.actor as string | undefined) ?? (env.MODEL_REGISTRY_ACTOR || env.USER || "");
    await command.run(ctx, args, actor);
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`model-registry ${name}: ${error.message}\n${error.usage ? `\n${error.usage}` : ""}`);
      return 2;
    }
    io.stderr.write(`model-registry: ${describeError(error, server)}\n`);
    return 1;
  }
}

/** One line for a failed call: `message (code, REASON)`, or why the server could not be reached. */
export function describeError(error: unknown, server: string): string {
  const unreachable = networkCode(error);
  if (unreachable) return `cannot reach ${server} (${unreachable})`;
  const e = ConnectError.from(error);
  const reason = e.findDetails(ErrorInfoSchema)[0]?.reason;
  const fields = e.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
  const message = fields.length > 1 ? fields.map((v) => `${v.field}: ${v.description}`).join("; ") : e.rawMessage;
  const code = Code[e.code]!.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return `${message} (${code}${reason && reason !== code.toUpperCase() ? `, ${reason}` : ""})`;
}

/** ECONNREFUSED and friends from fetch's `TypeError: fetch failed` cause chain (its innermost message otherwise). */
function networkCode(error: unknown): string | undefined {
  let failed = false;
  let last = "";
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    if (e instanceof TypeError && e.message === "fetch failed") failed = true;
    if (e instanceof Error) last = e.message;
  }
  return failed ? last : undefined;
}
