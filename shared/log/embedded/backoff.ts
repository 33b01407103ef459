const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 2_000;

/**
 * Delay before redelivering a batch after its `failures`-th consecutive failure:
 * exponential from 50 ms, capped at 2 s, with jitter (50-100 % of the step) so many
 * failing partitions do not retry in lockstep against a recovering dependency.
 */
export function redeliveryDelayMs(failures: number): number {
  const step = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(step * (0.5 + Math.random() / 2));
}

/** Sleeps `ms`, or less if the signal aborts (a stopping subscription must not wait out a backoff). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
