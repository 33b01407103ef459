import type { Logger } from "../logging/logger.ts";

export interface Periodic {
  /** Cancels the next run and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `run` now and then `intervalMs` after each run ends, one run at a time. A
 * failed run is logged as `what` and the next one tries again: for chores (pruning,
 * sweeping) whose only cost of a miss is waiting an interval longer.
 */
export function startPeriodic(what: string, opts: { intervalMs: number; logger: Logger; run: () => Promise<void> }): Periodic {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = opts
      .run()
      .catch((err: unknown) => opts.logger.warn(`${what} failed; retrying next interval`, { err }))
      .then(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
