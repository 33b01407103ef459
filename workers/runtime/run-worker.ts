import type { Registry } from "prom-client";
import type { EventLog } from "../../shared/log/event-log.ts";
import type { Logger } from "../../shared/logging/logger.ts";
import type { Handler } from "./handler.ts";
import { watchLag } from "./lag-gauge.ts";
import { loggingObserver, withLogging } from "./logging.ts";
import { metricsObserver, withMetrics, workerMetrics } from "./metrics.ts";
import { parseEvents } from "./parse.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";

export interface WorkerOptions<D> {
  log: EventLog;
  /** The consumer group: one per worker kind; every process of that kind joins it. */
  group: string;
  /** The topics and their `.dlq` twins must exist (ensureTopics at start-up). */
  topics: string[];
  handler: Handler<D>;
  deps: D;
  registry: Registry;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  maxBatchSize?: number;
  /** Where a group with no committed offset starts. Default: earliest. */
  fromBeginning?: boolean;
  /** How often the lag gauge is read from the log. Default 15 s. */
  lagIntervalMs?: number;
}

export interface RunningWorker {
  readonly group: string;
  /** Stops fetching, lets the batch in flight finish and commit, leaves the group. */
  stop(): Promise<void>;
  /** Resolves after stop(); rejects when the subscription crashed and will not recover. */
  readonly done: Promise<void>;
}

/**
 * Subscribes a handler with the runtime around it, outermost first:
 * retry + dead-letter → logging → metrics → parse → handler.
 * Metrics and logs see every attempt; the retry policy sees parse failures too, so a
 * malformed record is dead-lettered like any other. Retry waits park the partition and
 * are redelivered by the log (see retry.ts), so other partitions keep flowing on Kafka
 * too. The log's publisher carries the dead letters. The EventLog belongs to the
 * caller: stop() leaves it open.
 */
export async function runWorker<D>(opts: WorkerOptions<D>): Promise<RunningWorker> {
  const { log, group } = opts;
  const logger = opts.logger.child({ group });
  const metrics = workerMetrics(opts.registry);

  const handler = withRetry({
    group,
    publisher: log.publisher(),
    policy: opts.retry,
    observers: [metricsObserver(metrics, group), loggingObserver(logger)],
  })(withLogging(logger)(withMetrics(metrics, group)(parseEvents(opts.handler, opts.deps))));
  const subscription = await log
    .subscriber()
    .subscribe({ group, topics: opts.topics, handler, maxBatchSize: opts.maxBatchSize, fromBeginning: opts.fromBeginning });
  const lag = watchLag({ admin: log.admin(), group, topics: opts.topics, metrics, logger, intervalMs: opts.lagIntervalMs ?? 15_000 });
  logger.info("worker started", { topics: opts.topics });

  const done = subscription.done.finally(() => lag.stop());
  // The owner observes `done` (runProcess does); this only keeps an unobserved crash from being unhandled.
  done.catch(() => {});
  let stopping: Promise<void> | undefined;
  return {
    group,
    done,
    stop() {
      stopping ??= (async () => {
        await subscription.stop();
        await lag.stop();
        logger.info("worker stopped");
      })();
      return stopping;
    },
  };
}
