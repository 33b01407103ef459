import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createEnvelope, envelopeHeaders } from "../shared/events/envelope.ts";
import { TOPICS } from "../shared/events/topics.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { startTestReceiver } from "../shared/notify/webhook/test-receiver.ts";
import { createWebhookNotifier } from "../shared/notify/webhook/webhook-notifier.ts";
import { selectWorkers } from "../workers/catalogue.ts";
import { createNotifyHandler } from "../workers/notify/notify-handler.ts";
import { TEST_LOGS, type TestLogKind } from "../workers/notify/test-logs.ts";
import { notificationData, notificationRecord } from "../workers/notify/testing.ts";
import type { Handler } from "../workers/runtime/handler.ts";
import { runWorker } from "../workers/runtime/run-worker.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers.
setDefaultTimeout(60_000);

/*
 * Why a dead webhook cannot slow booking processing: notifications travel on their own
 * topic (`notifications`) to their own consumer group (`fleet-notify`). Producers publish
 * and move on; each group has its own consumer, offsets and retries, so the notify
 * group's stuck partitions hold back only the notify group. This shows it: while every
 * notify partition waits on a receiver that never answers, another group on another
 * topic keeps handling what is published to it within milliseconds.
 */

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(20);
  }
}

function runIsolationCase(kind: TestLogKind): void {
  describe(`notify isolation on ${kind.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    test("while the notify group is stuck on a webhook that never answers, a group on the bookings topic keeps low latency", async () => {
      const env = await kind.open([TOPICS.notifications, TOPICS.bookings]);
      cleanups.push(() => env.dispose());
      const receiver = startTestReceiver(() => new Promise<number>(() => {})); // accepts the connection, never answers
      cleanups.push(() => receiver.stop());
      const notifyTimeoutMs = 500;

      const spec = selectWorkers(["notify"])[0]!;
      const notifyTopic = env.topic(spec.topics[0]!);
      const notifyGroup = env.group(spec.group);
      const notifier = createWebhookNotifier({ url: receiver.url, secret: "whsec_isolation", timeoutMs: notifyTimeoutMs });
      const notify = await runWorker({
        log: env.log,
        group: notifyGroup,
        topics: [notifyTopic],
        handler: createNotifyHandler(),
        deps: { notifier, logger: silentLogger() },
        // As workers/main.ts runs it: a dead receiver is retried for minutes, so nothing is dead-lettered
        // (and the lag stays whole) while this test watches, however slowly a loaded machine runs it.
        retry: spec.retry,
        registry: createRegistry(),
        logger: silentLogger(),
        maxBatchSize: spec.maxBatchSize,
      });
      cleanups.push(() => notify.stop());

      // Stands in for the booking worker: handles each record and notes how long after publishing.
      const bookingsTopic = env.topic(TOPICS.bookings);
      const latencies: number[] = [];
      const counting: Handler<object> = async (events) => {
        for (const e of events) latencies.push(Date.now() - (e.data as { sentAt: number }).sentAt);
      };
      const bookings = await runWorker({
        log: env.log,
        group: env.group("fleet-booking-like"),
        topics: [bookingsTopic],
        handler: counting,
        deps: {},
        registry: createRegistry(),
        logger: silentLogger(),
      });
      cleanups.push(() => bookings.stop());
      const publishBooking = (i: number) => {
        const e = createEnvelope({
          type: "booking.requested",
          key: `bkg-${i}`,
          data: { bookingId: `bkg-${i}`, sentAt: Date.now() },
          source: "gateway",
        });
        return env.log.publisher().publish([{ topic: bookingsTopic, key: e.key, value: JSON.stringify(e), headers: envelopeHeaders(e) }]);
      };

      // Both groups are up (Kafka joins take seconds): a first booking is handled.
      await publishBooking(0);
      await until(() => latencies.length === 1, "the bookings group to start");

      await env.log
        .publisher()
        .publish(Array.from({ length: 24 }, (_, i) => notificationRecord(notificationData(`drv-${i}`), notifyTopic)));
      await until(
        () => new Set(receiver.requests.map((r) => r.notification.recipientId)).size >= 6,
        "notify requests hanging on several partitions",
      );
      const stuckSince = Date.now();

      // ~2 s of bookings: several webhook timeouts and retries of the notify group.
      const n = 80;
      for (let i = 1; i <= n; i++) {
        await publishBooking(i);
        await Bun.sleep(25);
      }
      await until(() => latencies.length === n + 1, `${n} bookings handled`);
      const during = latencies.slice(1).sort((a, b) => a - b);
      const stuckFor = Date.now() - stuckSince;
      const notifyLag = (await env.log.admin().lag(notifyGroup, [notifyTopic])).reduce((s, p) => s + p.lag, 0);
      console.log(
        `[${kind.name}] notify stuck for ${stuckFor} ms (lag ${notifyLag}; ${receiver.requests.length} requests, each timed out after ${notifyTimeoutMs} ms); bookings meanwhile: p50 ${during[Math.floor(n / 2)]} ms, max ${during.at(-1)} ms`,
      );

      // The notify group really was stuck the whole time…
      expect(receiver.delivered().size).toBe(0);
      expect(receiver.requests.every((r) => r.status === undefined)).toBe(true);
      expect(notifyLag).toBe(24);
      expect(stuckFor).toBeGreaterThan(3 * notifyTimeoutMs);
      expect(receiver.requests.length).toBeGreaterThan(24);
      // …and bookings never waited for it. Coupled to the notify group, they would wait for its webhook
      // timeouts: latencies spread up to 500 ms, p90 near it. A loaded machine adds the odd scheduling
      // hiccup to one booking (max 266 ms once beside a CPU hog), never to most of them.
      expect(during[Math.floor(n * 0.9)]!).toBeLessThan(notifyTimeoutMs / 2);
    });
  });
}

for (const kind of TEST_LOGS) runIsolationCase(kind);
