import { backoffCeiling } from "../../async/backoff.ts";

/**
 * Retries an admin read while kafkajs marks its error `retriable` (a leader election
 * right after topic creation or a broker restart: NOT_LEADER_FOR_PARTITION,
 * LEADER_NOT_AVAILABLE). kafkajs's own admin retrier does not cover these for
 * ListOffsets, so a lag read straight after ensureTopics failed on a fresh broker.
 */
export async function whileRetriable<T>(op: () => Promise<T>, attempts = 10, baseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw err;
      await Bun.sleep(backoffCeiling(attempt - 1, { baseMs, capMs: 2_000 }));
    }
  }
}
