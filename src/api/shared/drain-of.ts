/** Resolves on the stream's next 'drain', when it closes, or when `signal` aborts (whichever comes first). */
export function drainOf(stream: NodeJS.EventEmitter, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
