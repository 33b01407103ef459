import { afterEach, describe, expect, test } from "bun:test";
import { NonRetriableError, RetryableError } from "../../errors/errors.ts";
import { testNotification } from "../testing.ts";
import { type Answer, startTestReceiver, type TestReceiver } from "./test-receiver.ts";
import { WebhookDeliveryError } from "./webhook-failure.ts";
import { createWebhookNotifier, type WebhookNotifierOptions } from "./webhook-notifier.ts";

const SECRET = "whsec_test_5f0c1c3e8a";

describe("webhook notifier failures, against a real local receiver", () => {
  let receiver: TestReceiver;
  afterEach(() => receiver.stop());

  async function sendTo(answer: Answer, opts: Partial<WebhookNotifierOptions> = {}) {
    receiver = startTestReceiver(answer);
    const notifier = createWebhookNotifier({ url: receiver.url, secret: SECRET, ...opts });
    const started = performance.now();
    const err = await notifier.send(testNotification()).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    return { err, ms: performance.now() - started };
  }

  /** Retried by the worker runtime a few times, then dead-lettered: neither policy class. */
  function expectTransient(err: Error | undefined): asserts err is WebhookDeliveryError {
    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect(err).not.toBeInstanceOf(NonRetriableError);
    expect(err).not.toBeInstanceOf(RetryableError);
  }

  test("no answer within the timeout → a transient error, after about the timeout", async () => {
    const { err, ms } = await sendTo(
      async () => {
        await Bun.sleep(2_000);
        return 200;
      },
      { timeoutMs: 200 },
    );
    expectTransient(err);
    expect(err.message).toBe("webhook did not answer within 200 ms");
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1_000);
  });

  test("500 and 503 → transient, naming the status and the body", async () => {
    for (const status of [500, 502, 503]) {
      const { err } = await sendTo(() => new Response("database is down", { status }));
      expectTransient(err);
      expect(err.status).toBe(status);
      expect(err.message).toContain(`webhook answered ${status}`);
      expect(err.message).toContain("database is down");
      await receiver.stop();
    }
  });

  test("408 and 429 → transient", async () => {
    for (const status of [408, 429]) {
      const { err } = await sendTo(() => status);
      expectTransient(err);
      expect(err.status).toBe(status);
      expect(receiver.requests.length).toBe(1);
      await receiver.stop();
    }
  });

  test("400, 401, 404, 410, 422 → NonRetriableError (the cause keeps the status)", async () => {
    for (const status of [400, 401, 404, 410, 422]) {
      const { err } = await sendTo(() => new Response(`{"error":"bad ${status}"}`, { status }));
      expect(err).toBeInstanceOf(NonRetriableError);
      expect(err!.message).toContain(`webhook answered ${status}`);
      expect((err!.cause as WebhookDeliveryError).status).toBe(status);
      await receiver.stop();
    }
  });

  test("a redirect is not followed → NonRetriableError", async () => {
    const { err } = await sendTo(() => new Response(null, { status: 302, headers: { location: "https://example.invalid/elsewhere" } }));
    expect(err).toBeInstanceOf(NonRetriableError);
    expect(receiver.requests.length).toBe(1);
  });

  test("429 with a small Retry-After is waited out and tried once more inside send", async () => {
    const { err, ms } = await sendTo((req) =>
      receiver.requests.indexOf(req) === 0 ? new Response(null, { status: 429, headers: { "retry-after": "1" } }) : 204,
    );
    expect(err).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(receiver.requests.map((r) => r.status)).toEqual([429, 204]);
    const [first, second] = receiver.requests;
    expect(second!.eventId).toBe(first!.eventId);
  });

  test("a Retry-After longer than maxRetryAfterWaitMs is left to the caller: transient at once, carrying it", async () => {
    const { err, ms } = await sendTo(() => new Response(null, { status: 503, headers: { "retry-after": "120" } }));
    expectTransient(err);
    expect(err.retryAfterMs).toBe(120_000);
    expect(ms).toBeLessThan(500);
    expect(receiver.requests.length).toBe(1);
  });

  test("still failing after the Retry-After wait → transient, two requests in all", async () => {
    const { err } = await sendTo(() => new Response(null, { status: 429, headers: { "retry-after": "0" } }));
    expectTransient(err);
    expect(receiver.requests.length).toBe(2);
  });
});

test("connection refused → a transient error naming it", async () => {
  const gone = startTestReceiver();
  const url = gone.url;
  await gone.stop();
  const err = await createWebhookNotifier({ url, secret: SECRET })
    .send(testNotification())
    .catch((e: unknown) => e as Error);
  expect(err).toBeInstanceOf(WebhookDeliveryError);
  expect(err).not.toBeInstanceOf(NonRetriableError);
  expect((err as Error).message).toStartWith("webhook unreachable:");
});
