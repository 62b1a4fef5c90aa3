import { ALIAS_OPTIONS, ALIAS_USAGE, aliasCommand } from "./alias-command.js";
import {
  type CliContext,
  type CliIo,
  CliUsageError,
  createCliContext,
  GLOBAL_USAGE,
  type OptionSpec,
  type ParsedArgs,
  parseCommandArgs,
} from "./cli-context.js";
import { type ClientCommandName, isClientCommand } from "./client-command-names.js";
import { describeError } from "./describe-error.js";
import { EVENTS_OPTIONS, EVENTS_USAGE, eventsCommand } from "./events-command.js";
import { MODELS_OPTIONS, MODELS_USAGE, modelsCommand } from "./models-command.js";
import { REGISTER_OPTIONS, REGISTER_USAGE, registerCommand } from "./register-command.js";
import { VERSIONS_OPTIONS, VERSIONS_USAGE, versionsCommand } from "./versions-command.js";
import { WATCH_OPTIONS, WATCH_USAGE, watchCommand } from "./watch-command.js";
import { WEBHOOKS_OPTIONS, WEBHOOKS_USAGE, webhooksCommand } from "./webhooks-command.js";

interface ClientCommand {
  options: OptionSpec;
  usage: string;
  run(ctx: CliContext, args: ParsedArgs): Promise<void>;
}

/** The commands that talk to a running server (the others run one). */
export const CLIENT_COMMANDS: Record<ClientCommandName, ClientCommand> = {
  models: { options: MODELS_OPTIONS, usage: MODELS_USAGE, run: modelsCommand },
  versions: { options: VERSIONS_OPTIONS, usage: VERSIONS_USAGE, run: versionsCommand },
  register: { options: REGISTER_OPTIONS, usage: REGISTER_USAGE, run: registerCommand },
  alias: { options: ALIAS_OPTIONS, usage: ALIAS_USAGE, run: aliasCommand },
  events: { options: EVENTS_OPTIONS, usage: EVENTS_USAGE, run: eventsCommand },
  watch: { options: WATCH_OPTIONS, usage: WATCH_USAGE, run: watchCommand },
  webhooks: { options: WEBHOOKS_OPTIONS, usage: WEBHOOKS_USAGE, run: webhooksCommand },
};

/**
 * Runs a client command and returns the exit code: 0 on success (and for --help), 1 when the
 * call failed (one line on stderr: the message, the code and the reason), 2 on a usage mistake.
 */
export async function runClientCommand(argv: string[], env: NodeJS.ProcessEnv, io: CliIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!isClientCommand(name)) throw new Error(`not a client command: ${name}`);
  const command = CLIENT_COMMANDS[name];
  let server = "";
  try {
    // --help wins over every other mistake on the line, so `models list --nope --help` still helps.
    const flags = rest.includes("--") ? rest.slice(0, rest.indexOf("--")) : rest;
    if (flags.includes("--help") || flags.includes("-h")) {
      io.stdout.write(`${command.usage}\n${GLOBAL_USAGE}`);
      return 0;
    }
    const args = parseCommandArgs(rest, command.options, command.usage);
    const ctx = createCliContext(args.values, env, io);
    server = ctx.server;
    await command.run(ctx, args);
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
