/**
 * Latency buckets in seconds, from 0.5 ms (a point read on SQLite takes tens of microseconds;
 * a unary call over the network a few hundred) to 10 s (past the default 30 s deadline's
 * interesting range).
 */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Writes per group-commit transaction: 1 up to the group limit (MAX_GROUP, 64). */
export const GROUP_COMMIT_BUCKETS = [1, 2, 4, 8, 16, 32, 64];
