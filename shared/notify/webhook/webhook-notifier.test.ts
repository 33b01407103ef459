import { afterEach, expect, test } from "bun:test";
import { runNotifierContract } from "../notifier.contract.ts";
import { testNotification } from "../testing.ts";
import { startTestReceiver, type TestReceiver } from "./test-receiver.ts";
import { createWebhookNotifier } from "./webhook-notifier.ts";

const SECRET = "whsec_test_5f0c1c3e8a";

runNotifierContract({
  name: "webhook (real local receiver)",
  create: async () => {
    const receiver = startTestReceiver();
    const notifier = createWebhookNotifier({ url: receiver.url, secret: SECRET });
    return { notifier, received: () => receiver.requests.map((r) => r.notification), dispose: () => receiver.stop() };
  },
});

let receiver: TestReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

test("webhook: one POST of the JSON body with content-type, event id, a current timestamp and a sha256 signature", async () => {
  receiver = startTestReceiver(() => 200);
  const n = testNotification();
  const before = Math.floor(Date.now() / 1000);
  await createWebhookNotifier({ url: receiver.url, secret: SECRET }).send(n);
  expect(receiver.requests.length).toBe(1);
  const [got] = receiver.requests;
  expect(got!.contentType).toBe("application/json");
  expect(got!.eventId).toBe(n.eventId);
  expect(JSON.parse(got!.body)).toEqual(n);
  expect(Number(got!.timestamp)).toBeGreaterThanOrEqual(before);
  expect(Number(got!.timestamp)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  expect(got!.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
});

test("webhook: every 2xx counts as delivered", async () => {
  for (const status of [200, 201, 202, 204]) {
    receiver = startTestReceiver(() => status);
    await createWebhookNotifier({ url: receiver.url, secret: SECRET }).send(testNotification());
    expect(receiver.requests.map((r) => r.status)).toEqual([status]);
    await receiver.stop();
  }
});
