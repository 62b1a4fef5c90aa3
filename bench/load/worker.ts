import { closeSessions, runSlice, type SliceSpec } from "./http2-load.js";

/**
 * The load generator process (pinned to the core the server does not use): runs the slices the
 * coordinator sends over IPC, one at a time, and answers with their measurements.
 */
type Command = { id: number; slice: SliceSpec } | { id: number; mix: SliceSpec[] } | { id: number; close: true };

process.on("message", (command: Command) => {
  void (async () => {
    if ("close" in command) {
      closeSessions();
      process.send!({ id: command.id, result: null }, () => process.exit(0));
      return;
    }
    try {
      // A mix runs its slices at the same time (mixed load); a slice runs alone.
      const result = "mix" in command ? await Promise.all(command.mix.map(runSlice)) : await runSlice(command.slice);
      process.send!({ id: command.id, result });
    } catch (error) {
      process.send!({ id: command.id, error: error instanceof Error ? error.stack : String(error) });
    }
  })();
});
process.send!({ ready: true });
