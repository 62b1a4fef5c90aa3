/** One parked wait at a time, ended by wake(), by its timeout, or by neither (sleep() without ms). */
export class Waker {
  private wakeUp: (() => void) | null = null;

  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  /** Waits for a wake-up, or `ms` when given; removes its timer either way. */
  sleep(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, Math.max(1, ms));
      this.wakeUp = done;
    });
  }
}
