/** How long the waits between retries grow: from `baseMs`, doubling per attempt, never past `capMs`. */
export interface BackoffPolicy {
  /** First wait. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
}

/** The un-jittered wait before retry `attempt` (0-based): base doubled per attempt, capped. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
}

/**
 * Exponential backoff with equal jitter: the ceiling doubles per attempt (0-based) up
 * to the cap; the wait is half the ceiling plus a random half, so waits still grow
 * while many partitions (or processes) retrying at once spread out instead of hitting a
 * recovering dependency in lockstep.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, policy);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Sleeps `ms`, or less if the signal aborts (a stopping loop must not wait out a backoff). */
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
