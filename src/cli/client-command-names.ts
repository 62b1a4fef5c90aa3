/**
 * Names of the client commands (they talk to a running server; the others run one). Kept apart
 * from their code so that `main.ts` can tell a client command from `serve` without loading either.
 */
export const CLIENT_COMMAND_NAMES = ["models", "versions", "register", "alias", "events", "watch", "webhooks"] as const;

export type ClientCommandName = (typeof CLIENT_COMMAND_NAMES)[number];

/** True when `model-registry <name>` is a client command. */
export function isClientCommand(name: string | undefined): name is ClientCommandName {
  return (CLIENT_COMMAND_NAMES as readonly string[]).includes(name ?? "");
}

/**
 * Commands that open the database themselves, with no server (docs/operations.md): like the
 * client commands, main.ts loads their code only when one runs.
 */
export const OPERATION_COMMAND_NAMES = ["backup", "restore", "export", "import"] as const;

export type OperationCommandName = (typeof OPERATION_COMMAND_NAMES)[number];

/** True when `model-registry <name>` is an operation command. */
export function isOperationCommand(name: string | undefined): name is OperationCommandName {
  return (OPERATION_COMMAND_NAMES as readonly string[]).includes(name ?? "");
}
