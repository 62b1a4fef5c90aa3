import type { LiveStatus } from "./watch-loop.js";

/** From a tab to the shared watch worker. */
export type TabMessage = { type: "attach"; token: string } | { type: "detach" };

/** From the shared watch worker to its tabs. */
export type WorkerMessage =
  | { type: "event"; bytes: Uint8Array }
  | { type: "status"; status: LiveStatus; detail?: string }
  | { type: "resync"; from: bigint };
