import { closeSessions, runSlice, type SliceSpec } from "./http2-load.js";

/**
 * The load generator process (pinned to the core the server does not use): runs the slices the
 * coordinator sends over IPC, one at a time, and answers with their measurements.
 */
type Command = { id: number; slice: SliceSpec } | { id: number; close: true };

process.on("message", (command: Command) => {
  void (async () => {
    if ("close" in command) {
      closeSessions();
      process.send!({ id: command.id, result: null }, () => process.exit(0));
      return;
    }
    try {
      process.send!({ id: command.id, result: await runSlice(command.slice) });
    } catch (error) {
      process.send!({ id: command.id, error: error instanceof Error ? error.stack : String(error) });
    }
  })();
});
process.send!({ ready: true });
