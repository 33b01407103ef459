import type { LogAdmin } from "../../shared/log/event-log.ts";
import type { Logger } from "../../shared/logging/logger.ts";
import type { WorkerMetrics } from "./metrics.ts";

export interface LagWatch {
  /** Reads the lag now and updates the gauge. */
  refresh(): Promise<void>;
  /** Stops the timer and waits for a read in flight. */
  stop(): Promise<void>;
}

/**
 * Polls `admin.lag()` every `intervalMs` into the `fleet_consumer_lag` gauge, one
 * series per (group, topic, partition). A failed read is logged and the previous
 * values stay: lag is for dashboards and readiness, never a reason to stop consuming.
 */
export function watchLag(opts: {
  admin: Pick<LogAdmin, "lag">;
  group: string;
  topics: string[];
  metrics: WorkerMetrics;
  logger: Logger;
  intervalMs: number;
}): LagWatch {
  let inFlight: Promise<void> = Promise.resolve();
  const read = async () => {
    try {
      for (const p of await opts.admin.lag(opts.group, opts.topics)) {
        opts.metrics.lag.set({ group: opts.group, topic: p.topic, partition: String(p.partition) }, p.lag);
      }
    } catch (err) {
      opts.logger.warn("could not read consumer lag", { err });
    }
  };
  const refresh = () => (inFlight = inFlight.then(read));
  const timer = setInterval(() => void refresh(), opts.intervalMs);
  void refresh();
  return {
    refresh,
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
