import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import * as v from "valibot";
import { NotificationRequestedSchema } from "../shared/events/notification.ts";
import { dlqTopicOf, TOPICS } from "../shared/events/topics.ts";
import type { DeliveredRecord } from "../shared/log/event-log.ts";
import { partitionFor } from "../shared/log/partition.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { createRegistry, metricValue } from "../shared/metrics/registry.ts";
import { verifyWebhookSignature } from "../shared/notify/webhook/signature.ts";
import { type Answer, startTestReceiver, type TestReceiver } from "../shared/notify/webhook/test-receiver.ts";
import { createWebhookNotifier } from "../shared/notify/webhook/webhook-notifier.ts";
import { selectWorkers } from "../workers/catalogue.ts";
import { createNotifyHandler } from "../workers/notify/notify-handler.ts";
import { TEST_LOGS, type TestLog, type TestLogKind } from "../workers/notify/test-logs.ts";
import { notificationData, notificationRecord } from "../workers/notify/testing.ts";
import { DLQ_HEADERS } from "../workers/runtime/dead-letter.ts";
import type { RetryPolicy } from "../workers/runtime/retry.ts";
import { runWorker } from "../workers/runtime/run-worker.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers and retries.
setDefaultTimeout(60_000);

const SECRET = "whsec_notify_e2e_0b7d";
const PARTITIONS = 6; // the catalogue's, which both logs use

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** `n` recipient ids that the topic places on `partition`. */
function recipientsOn(partition: number, n: number, tag: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (partitionFor(`${tag}-${i}`, PARTITIONS) === partition) out.push(`${tag}-${i}`);
  return out;
}

function runNotifyWorkerCases(kind: TestLogKind): void {
  describe(`notify worker on ${kind.name}, delivering to a real webhook receiver`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    /** The catalogue's notify worker (its group, topic and batch size) with the webhook notifier, under runWorker. */
    async function start(answer: Answer, retry?: Partial<RetryPolicy>) {
      const env: TestLog = await kind.open([TOPICS.notifications]);
      cleanups.push(() => env.dispose());
      const receiver: TestReceiver = startTestReceiver(answer);
      cleanups.push(() => receiver.stop());
      const spec = selectWorkers(["notify"])[0]!;
      const topic = env.topic(spec.topics[0]!);
      const group = env.group(spec.group);
      const registry = createRegistry();
      const notifier = createWebhookNotifier({ url: receiver.url, secret: SECRET, timeoutMs: 2_000 });
      const worker = await runWorker({
        log: env.log,
        group,
        topics: [topic],
        handler: createNotifyHandler(),
        deps: { notifier, logger: silentLogger() },
        registry,
        logger: silentLogger(),
        maxBatchSize: spec.maxBatchSize,
        retry,
      });
      cleanups.push(() => worker.stop());
      const dlq: DeliveredRecord[] = [];
      const dlqReader = await env.log
        .subscriber()
        .subscribe({ group: env.group("dlq-reader"), topics: [dlqTopicOf(topic)], handler: async (b) => void dlq.push(...b.records) });
      cleanups.push(() => dlqReader.stop());
      const publish = (recipients: string[]) => {
        const records = recipients.map((r) => notificationRecord(notificationData(r), topic));
        return env.log
          .publisher()
          .publish(records)
          .then(() => records);
      };
      const lag = async () => (await env.log.admin().lag(group, [topic])).reduce((n, p) => n + p.lag, 0);
      return { env, receiver, topic, group, registry, dlq, publish, lag };
    }

    const idOf = (r: { value: string }) => (JSON.parse(r.value) as { id: string }).id;

    test("receiver up: every notification is delivered once, signed, each recipient's in publish order", async () => {
      const w = await start(() => 204);
      const recipients = Array.from({ length: 60 }, (_, i) => `drv-${i % 12}`);
      const sent = await w.publish(recipients);
      await until(() => w.receiver.delivered().size === 60, "60 deliveries");
      await until(async () => (await w.lag()) === 0, "the group to commit everything");
      await Bun.sleep(200);

      expect(w.receiver.requests.length).toBe(60);
      expect([...w.receiver.delivered().values()].every((n) => n === 1)).toBe(true);
      expect([...w.receiver.delivered().keys()].sort()).toEqual(sent.map(idOf).sort());
      for (const r of new Set(recipients)) {
        const published = sent.filter((s) => s.key === r).map(idOf);
        expect(w.receiver.requests.filter((q) => q.notification.recipientId === r).map((q) => q.eventId)).toEqual(published);
      }
      for (const q of w.receiver.requests) {
        expect(
          await verifyWebhookSignature({
            secret: SECRET,
            eventId: q.eventId,
            body: q.body,
            timestamp: q.timestamp,
            signature: q.signature,
          }),
        ).toBe(true);
        // The body is the event's data plus its id: a receiver can validate it with the event schema.
        const { eventId, ...data } = q.notification;
        expect(eventId).toBe(q.eventId!);
        expect(v.safeParse(NotificationRequestedSchema, data).success).toBe(true);
      }
      expect(w.dlq).toEqual([]);
    });

    test("receiver answering 500 for a second, then recovering: everything is retried and delivered once, nothing dead-lettered", async () => {
      let downUntil = 0;
      const w = await start(
        () => {
          downUntil ||= Date.now() + 1_000;
          return Date.now() < downUntil ? 500 : 204;
        },
        { maxAttempts: 8, backoff: { baseMs: 100, capMs: 1_000 } },
      );
      const sent = await w.publish(Array.from({ length: 30 }, (_, i) => `drv-${i % 6}`));
      await until(() => w.receiver.delivered().size === 30, "30 deliveries after the outage");
      await until(async () => (await w.lag()) === 0, "the group to commit everything");

      expect(w.receiver.requests.filter((r) => r.status === 500).length).toBeGreaterThan(0);
      expect([...w.receiver.delivered().keys()].sort()).toEqual(sent.map(idOf).sort());
      expect([...w.receiver.delivered().values()].every((n) => n === 1)).toBe(true);
      expect(w.dlq).toEqual([]);
      expect(await metricValue(w.registry, "fleet_events_dead_lettered_total", { group: w.group, topic: w.topic })).toBe(0);
      expect(await metricValue(w.registry, "fleet_events_retried_total", { group: w.group, topic: w.topic })).toBeGreaterThan(0);
    });

    test("one recipient's receiver down for good: after maxAttempts sends its notification is dead-lettered with metadata, while other recipients' keep flowing", async () => {
      const maxAttempts = 4;
      const [dead, samePartition] = recipientsOn(0, 2, "drv-p0");
      const others = [1, 2, 3, 4, 5].flatMap((p) => recipientsOn(p, 2, `drv-p${p}`));
      const w = await start((req) => (req.notification.recipientId === dead ? new Response("receiver crashed", { status: 500 }) : 204), {
        maxAttempts,
        backoff: { baseMs: 600, capMs: 600 },
      });

      const [deadRecord] = await w.publish([dead!]);
      // The rest only once the dead one is being sent: fetched in one batch with it (a loaded machine consumes
      // late), samePartition would go out concurrently (other recipient) instead of waiting behind it in its partition.
      await until(() => w.receiver.requests.some((r) => r.notification.recipientId === dead), "the first send to the dead recipient");
      const firstFailure = Date.now();
      const afterDead = await w.publish([samePartition!, ...others]);
      // Published while the dead one waits between its attempts.
      const late = await w.publish(others);
      await until(() => late.every((r) => w.receiver.delivered().has(idOf(r))), "the late notifications to other recipients");
      const lateDeliveredIn = Date.now() - firstFailure;
      await until(() => w.dlq.length === 1, "the dead letter");
      const retriedFor = Date.now() - firstFailure;
      await until(() => w.receiver.delivered().has(idOf(afterDead[0]!)), "the same partition's next notification");
      console.log(
        `[${kind.name}] dead recipient retried for ${retriedFor} ms (${maxAttempts} sends); other partitions' late notifications delivered within ${lateDeliveredIn} ms`,
      );

      // Other partitions did not wait for the dead one's retries (3 backoffs of 300-600 ms).
      expect(lateDeliveredIn).toBeLessThan(retriedFor / 2);
      const deadSends = w.receiver.requests.filter((r) => r.eventId === idOf(deadRecord!));
      expect(deadSends.length).toBe(maxAttempts);
      expect(deadSends.every((r) => r.status === 500)).toBe(true);

      const [letter] = w.dlq;
      expect(letter!.key).toBe(dead!);
      expect(letter!.value).toBe(deadRecord!.value);
      expect(letter!.headers).toMatchObject({
        ...deadRecord!.headers,
        [DLQ_HEADERS.errorName]: "WebhookDeliveryError",
        [DLQ_HEADERS.errorMessage]: "webhook answered 500 Internal Server Error: receiver crashed",
        [DLQ_HEADERS.attempts]: String(maxAttempts),
        [DLQ_HEADERS.group]: w.group,
        [DLQ_HEADERS.topic]: w.topic,
        [DLQ_HEADERS.partition]: "0",
        [DLQ_HEADERS.offset]: "0",
      });

      // The dead one's partition waited for it (per-key order holds), then moved on.
      const sameAt = w.receiver.requests.find((r) => r.eventId === idOf(afterDead[0]!))!.receivedAt;
      expect(sameAt).toBeGreaterThanOrEqual(deadSends.at(-1)!.receivedAt);
      await until(() => w.receiver.delivered().size === afterDead.length + late.length, "every other notification");
      expect([...w.receiver.delivered().values()].every((n) => n === 1)).toBe(true);
      await until(async () => (await w.lag()) === 0, "the group to commit everything");
    });
  });
}

for (const kind of TEST_LOGS) runNotifyWorkerCases(kind);
