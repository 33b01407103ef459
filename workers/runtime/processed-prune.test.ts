import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TOPICS, topicSpec } from "../../shared/events/topics.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { markProcessed, processedIds } from "./processed-events.ts";
import { processedRetentionMs, pruneProcessedEvents } from "./processed-prune.ts";

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe("pruning processed-event ids", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  beforeAll(async () => {
    history = await openTempHistory("fleet-processed-prune-");
  });
  afterAll(() => history.remove());

  const ref = (id: string, topic: string) => ({ id, record: { topic, partition: 0, offset: 0 } });

  test("ids older than twice their topic's retention plus a day go; younger ones and compacted topics' stay", async () => {
    const bookingsKeep = processedRetentionMs(topicSpec(TOPICS.bookings))!;
    expect(bookingsKeep).toBe(15 * DAY);
    expect(processedRetentionMs(topicSpec(TOPICS.driverStatus))).toBeNull();
    const db = history.db;
    await markProcessed(db.client, "g", [ref("old-booking", TOPICS.bookings), ref("old-status", TOPICS.driverStatus)], {
      at: NOW - bookingsKeep - 1,
    });
    await markProcessed(db.client, "g", [ref("young-booking", TOPICS.bookings)], { at: NOW - bookingsKeep + 1 });
    await markProcessed(db.client, "g", [ref("old-notification", TOPICS.notifications)], { at: NOW - 3 * DAY - 1 });

    expect(await pruneProcessedEvents(db, NOW)).toBe(2);
    expect([...(await processedIds(db.client, "g", ["old-booking", "old-status", "young-booking", "old-notification"]))].sort()).toEqual([
      "old-status",
      "young-booking",
    ]);
    expect(await pruneProcessedEvents(db, NOW)).toBe(0);
  });
});
