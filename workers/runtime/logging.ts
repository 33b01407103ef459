import { HEADER_CORRELATION } from "../../shared/events/envelope.ts";
import type { Logger } from "../../shared/logging/logger.ts";
import type { BatchMiddleware } from "./handler.ts";
import type { RetryObserver } from "./retry.ts";

/*
 * Structured logs for the runtime; `logger` already carries the group. A handled
 * batch is a debug line; a re-run is a warning; a dead letter is an error naming its
 * record and correlation id, so an operator can find the request that produced it.
 */

/** One debug line per handler call that resolved. */
export function withLogging(logger: Logger): BatchMiddleware {
  return (next) => async (batch) => {
    const started = performance.now();
    await next(batch);
    const first = batch.records[0];
    const last = batch.records.at(-1);
    logger.debug("batch handled", {
      topic: batch.topic,
      partition: batch.partition,
      offset: first?.offset,
      lastOffset: last?.offset,
      count: batch.records.length,
      ms: Math.round(performance.now() - started),
    });
  };
}

export function loggingObserver(logger: Logger): RetryObserver {
  return {
    retrying: (e) => {
      const [first] = e.records;
      const single =
        e.records.length === 1 && first
          ? { correlationId: first.headers[HEADER_CORRELATION] }
          : { lastOffset: e.records.at(-1)?.offset, count: e.records.length };
      logger.warn(`retrying (${e.kind})`, {
        topic: e.batch.topic,
        partition: e.batch.partition,
        offset: first?.offset,
        ...single,
        attempt: e.attempt,
        delayMs: Math.round(e.delayMs),
        err: e.error,
      });
    },
    deadLettered: (e) =>
      logger.error("dead-lettered", {
        topic: e.record.topic,
        partition: e.record.partition,
        offset: e.record.offset,
        correlationId: e.record.headers[HEADER_CORRELATION],
        attempts: e.attempts,
        err: e.error,
      }),
  };
}
