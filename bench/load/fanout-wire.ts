/** Shared by the raw fan-out server (bench/server.ts) and the watchers (bench/load/watchers.ts). */

/** Size of the raw fan-out frame: an encoded Watch event of a new registered model (about 205 bytes). */
export const FRAME_BYTES = 205;
/** What the raw server writes when a /watch stream opens (the stream is established). */
export const HELLO = Buffer.from("hello\n");
