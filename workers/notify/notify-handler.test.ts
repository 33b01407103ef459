import { describe, expect, test } from "bun:test";
import { NonRetriableError } from "../../shared/errors/errors.ts";
import { createLogger, silentLogger } from "../../shared/logging/logger.ts";
import type { Notification } from "../../shared/notify/notifier.ts";
import { DLQ_HEADERS } from "../runtime/dead-letter.ts";
import { parseEvents } from "../runtime/parse.ts";
import { withRetry } from "../runtime/retry.ts";
import { collectingPublisher, deliverUntilDone, recordBatch } from "../runtime/testing.ts";
import { createNotifyHandler } from "./notify-handler.ts";
import { deliveredAt, notificationData, notificationEvent, notificationRecord, scriptedNotifier } from "./testing.ts";

const recipients = (n: Notification[]) => n.map((x) => x.recipientId);
const ids = (n: Notification[]) => n.map((x) => x.eventId);

describe("notify handler", () => {
  test("delivers every notification once, each recipient's in log order, recipients concurrently", async () => {
    const notifier = scriptedNotifier(() => Bun.sleep(100));
    const data = ["a", "b", "a", "c", "d", "a", "b", "e"].map((r) => notificationData(r));
    const events = data.map((d, i) => notificationEvent(d, i));
    const started = performance.now();
    await createNotifyHandler({ notifier, logger: silentLogger() })(events);
    const ms = performance.now() - started;
    expect(ids(notifier.delivered).sort()).toEqual(events.map((e) => e.id).sort());
    expect(notifier.delivered.filter((n) => n.recipientId === "a").map((n) => n.notificationId)).toEqual(
      [data[0]!, data[2]!, data[5]!].map((d) => d.notificationId),
    );
    // "a" has three, sent one after another; everyone else at the same time: ~300 ms, not 800.
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(600);
    expect(notifier.delivered[0]).toEqual({ ...data[0]!, eventId: events[0]!.id });
  });

  test("at most `concurrency` sends at once", async () => {
    let inFlight = 0;
    let most = 0;
    const notifier = scriptedNotifier(async () => {
      most = Math.max(most, ++inFlight);
      await Bun.sleep(10);
      inFlight--;
    });
    const events = Array.from({ length: 20 }, (_, i) => notificationEvent(notificationData(`r-${i}`), i));
    await createNotifyHandler({ notifier, logger: silentLogger() }, { concurrency: 4 })(events);
    expect(most).toBe(4);
    expect(notifier.delivered.length).toBe(20);
  });

  test("an expired notification is skipped with a log line, once, and the batch succeeds", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: "info", write: (l) => void lines.push(JSON.parse(l)) });
    const notifier = scriptedNotifier();
    const expired = notificationEvent(notificationData("a", { expiresAt: new Date(Date.now() - 1).toISOString() }), 0);
    const live = notificationEvent(notificationData("a", { expiresAt: new Date(Date.now() + 60_000).toISOString() }), 1);
    const handler = createNotifyHandler({ notifier, logger });
    await handler([expired, live]);
    await handler([expired, live]);
    expect(ids(notifier.sends)).toEqual([live.id]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        msg: "notification expired; not delivered",
        eventId: expired.id,
        recipientId: "a",
        offset: 0,
      }),
    ]);
  });

  test("a notification that expires while a send fails is skipped, not retried", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: "info", write: (l) => void lines.push(JSON.parse(l)) });
    const notifier = scriptedNotifier(async () => {
      await Bun.sleep(60);
      throw new Error("webhook did not answer within 60 ms");
    });
    const event = notificationEvent(notificationData("a", { expiresAt: new Date(Date.now() + 30).toISOString() }), 0);
    await createNotifyHandler({ notifier, logger })([event]);
    expect(notifier.sends.length).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ msg: "notification expired; not delivered", eventId: event.id })]);
  });

  test("a failing recipient: the others are delivered, its later ones wait, the batch throws its error", async () => {
    const boom = new Error("webhook answered 500");
    const notifier = scriptedNotifier((n) => {
      if (n.payload.fail) throw boom;
    });
    const events = [
      notificationData("a"),
      notificationData("b", { payload: { fail: true } }),
      notificationData("b"),
      notificationData("c"),
    ].map((d, i) => notificationEvent(d, i));
    const err = await createNotifyHandler({ notifier, logger: silentLogger() })(events).catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(recipients(notifier.delivered).sort()).toEqual(["a", "c"]);
    expect(ids(notifier.sends)).not.toContain(events[2]!.id);
  });

  test("the first failure in log order is thrown, whatever finishes first", async () => {
    const notifier = scriptedNotifier(async (n) => {
      await Bun.sleep(n.recipientId === "slow" ? 30 : 0);
      throw new Error(`failed ${n.recipientId}`);
    });
    const events = [notificationEvent(notificationData("slow"), 3), notificationEvent(notificationData("fast"), 4)];
    await expect(createNotifyHandler({ notifier, logger: silentLogger() })(events)).rejects.toThrow("failed slow");
  });

  test("an event of another type or with invalid data is NonRetriableError before anything is sent", async () => {
    const notifier = scriptedNotifier();
    const good = notificationEvent(notificationData("a"), 0);
    const wrongType = { ...notificationEvent(notificationData("b"), 1), type: "booking.requested" };
    const badData = notificationEvent({ ...notificationData("c"), recipientType: "robot" } as never, 2);
    for (const bad of [wrongType, badData]) {
      const err = await createNotifyHandler({ notifier, logger: silentLogger() })([good, bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonRetriableError);
      expect((err as Error).message).toContain(`notifications/0@${bad.record.offset}`);
    }
    expect(notifier.sends).toEqual([]);
  });

  test("delivered events are remembered by the handler: a re-run sends only what did not arrive; another handler remembers nothing", async () => {
    let down = true;
    const notifier = scriptedNotifier((n) => {
      if (down && n.recipientId === "b") throw new Error("500");
    });
    const events = ["a", "b", "c", "b"].map((r, i) => notificationEvent(notificationData(r), i));
    const handler = createNotifyHandler({ notifier, logger: silentLogger() });
    await handler(events).catch(() => {});
    down = false;
    await handler(events);
    expect(recipients(notifier.sends)).toEqual(["a", "b", "c", "b", "b"]);
    expect(ids(notifier.delivered).sort()).toEqual(events.map((e) => e.id).sort());
    const other = scriptedNotifier();
    await createNotifyHandler({ notifier: other, logger: silentLogger() })(events);
    expect(other.sends.length).toBe(4);
  });
});

describe("notify handler inside the runtime's retry policy", () => {
  test("one notification failing for good: it gets exactly maxAttempts sends and is dead-lettered; every other one is sent once", async () => {
    const notifier = scriptedNotifier((n) => {
      if (n.recipientId === "dead") throw new Error("webhook answered 500 Internal Server Error");
    });
    const out = ["a", "b", "dead", "c", "a", "d", "e", "f", "dead", "g", "h", "b", "i", "j", "k", "l"].map((r) =>
      notificationRecord(notificationData(r)),
    );
    const publisher = collectingPublisher();
    const maxAttempts = 4;
    const handler = withRetry({ group: "fleet-notify", publisher, policy: { maxAttempts, backoff: { baseMs: 1, capMs: 2 } } })(
      parseEvents(createNotifyHandler({ notifier, logger: silentLogger() }), {}),
    );
    await deliverUntilDone(handler, recordBatch(out.map(deliveredAt)));

    const sendsPerEvent = new Map<string, number>();
    for (const n of notifier.sends) sendsPerEvent.set(n.eventId, (sendsPerEvent.get(n.eventId) ?? 0) + 1);
    const deadIds = notifier.sends.filter((n) => n.recipientId === "dead").map((n) => n.eventId);
    const [firstDead, secondDead] = [...new Set(deadIds)];
    expect([sendsPerEvent.get(firstDead!), sendsPerEvent.get(secondDead!)]).toEqual([maxAttempts, maxAttempts]);
    expect(notifier.delivered.length).toBe(14);
    expect(new Set(ids(notifier.delivered)).size).toBe(14);
    expect(
      publisher.published.map((r) => [r.topic, r.key, r.headers?.[DLQ_HEADERS.attempts], r.headers?.[DLQ_HEADERS.errorMessage]]),
    ).toEqual([
      ["notifications.dlq", "dead", String(maxAttempts), "webhook answered 500 Internal Server Error"],
      ["notifications.dlq", "dead", String(maxAttempts), "webhook answered 500 Internal Server Error"],
    ]);
  });

  test("a 4xx (NonRetriableError) is sent once and dead-lettered at once", async () => {
    const notifier = scriptedNotifier((n) => {
      if (n.recipientId === "gone") throw new NonRetriableError("webhook answered 410 Gone");
    });
    const out = ["a", "gone", "b", "c", "d", "e", "f", "g"].map((r) => notificationRecord(notificationData(r)));
    const publisher = collectingPublisher();
    const handler = withRetry({ group: "fleet-notify", publisher, policy: { maxAttempts: 5, backoff: { baseMs: 1, capMs: 2 } } })(
      parseEvents(createNotifyHandler({ notifier, logger: silentLogger() }), {}),
    );
    await deliverUntilDone(handler, recordBatch(out.map(deliveredAt)));
    expect(recipients(notifier.sends).filter((r) => r === "gone").length).toBe(1);
    expect(notifier.sends.length).toBe(8);
    expect(publisher.published.map((r) => [r.key, r.headers?.[DLQ_HEADERS.errorName], r.headers?.[DLQ_HEADERS.attempts]])).toEqual([
      ["gone", "NonRetriableError", "1"],
    ]);
  });
});
