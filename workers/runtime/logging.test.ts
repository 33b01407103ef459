import { describe, expect, test } from "bun:test";
import { createLogger } from "../../shared/logging/logger.ts";
import { loggingObserver, withLogging } from "./logging.ts";
import { withRetry } from "./retry.ts";
import { collectingPublisher, deliverUntilDone, eventRecord, recordBatch } from "./testing.ts";

function capture(level: "debug" | "warn") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, write: (l) => lines.push(JSON.parse(l)) }).child({ group: "rides-worker" });
  return { logger, lines };
}

describe("runtime logging", () => {
  test("a dead letter is one error line with group, topic, partition, offset and correlation id; each re-run a warning", async () => {
    const { logger, lines } = capture("warn");
    const record = eventRecord(41, {}, { partition: 3 });
    await deliverUntilDone(
      withRetry({
        group: "rides-worker",
        publisher: collectingPublisher(),
        policy: { maxAttempts: 2, backoff: { baseMs: 1, capMs: 1 } },
        observers: [loggingObserver(logger)],
      })(
        withLogging(logger)(async () => {
          throw new Error("cannot price ride");
        }),
      ),
      recordBatch([record]),
    );
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ["warn", "retrying (attempt)"],
      ["error", "dead-lettered"],
    ]);
    expect(lines[1]).toMatchObject({
      group: "rides-worker",
      topic: "rides",
      partition: 3,
      offset: 41,
      correlationId: record.headers["correlation-id"],
      attempts: 2,
      err: { name: "Error", message: "cannot price ride" },
    });
    expect(typeof lines[1]!.time).toBe("string");
    expect(lines[0]).toMatchObject({ offset: 41, correlationId: record.headers["correlation-id"], attempt: 2 });
  });

  test("a handled batch is a debug line with its offsets; nothing at info level and above", async () => {
    const debug = capture("debug");
    await withLogging(debug.logger)(async () => {})(recordBatch([eventRecord(5, {}), eventRecord(6, {})]));
    expect(debug.lines).toEqual([
      expect.objectContaining({
        level: "debug",
        msg: "batch handled",
        group: "rides-worker",
        topic: "rides",
        partition: 0,
        offset: 5,
        lastOffset: 6,
        count: 2,
      }),
    ]);
    const quiet = capture("warn");
    await withLogging(quiet.logger)(async () => {})(recordBatch([eventRecord(5, {})]));
    expect(quiet.lines).toEqual([]);
  });
});
