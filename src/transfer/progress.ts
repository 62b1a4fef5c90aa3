/** How a long operation tells what it is doing (the CLI draws a bar or writes JSON lines). */
export interface Progress {
  /** A phase begins: `total` units of work (0 when unknown). */
  phase(name: string, total: number): void;
  /** `done` units of the current phase are done. */
  update(done: number): void;
  /** The operation finished. */
  end(): void;
}

export const NO_PROGRESS: Progress = { phase: () => {}, update: () => {}, end: () => {} };
