import { afterEach, describe, expect, test } from "bun:test";
import { testNotification } from "../testing.ts";
import { importSigningKey, signWebhook, verifyWebhookSignature } from "./signature.ts";
import { startTestReceiver, type TestReceiver } from "./test-receiver.ts";
import { createWebhookNotifier } from "./webhook-notifier.ts";

const SECRET = "whsec_test_5f0c1c3e8a";

describe("webhook signature, as a receiver verifies it", () => {
  let receiver: TestReceiver;
  afterEach(() => receiver.stop());

  async function deliverOne() {
    receiver = startTestReceiver();
    await createWebhookNotifier({ url: receiver.url, secret: SECRET }).send(testNotification());
    return receiver.requests[0]!;
  }

  test("verifies with the shared secret, over the raw body and the timestamp header", async () => {
    const got = await deliverOne();
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got.eventId,
        body: got.body,
        timestamp: got.timestamp,
        signature: got.signature,
      }),
    ).toBe(true);
  });

  test("fails with another secret", async () => {
    const got = await deliverOne();
    expect(
      await verifyWebhookSignature({
        secret: "whsec_someone_else",
        eventId: got.eventId,
        body: got.body,
        timestamp: got.timestamp,
        signature: got.signature,
      }),
    ).toBe(false);
  });

  test("fails when the body or the timestamp was changed in transit", async () => {
    const got = await deliverOne();
    const tampered = got.body.replace(got.notification.recipientId, "drv-attacker");
    expect(tampered).not.toBe(got.body);
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got.eventId,
        body: tampered,
        timestamp: got.timestamp,
        signature: got.signature,
      }),
    ).toBe(false);
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got.eventId,
        body: got.body,
        timestamp: String(Number(got.timestamp) + 1),
        signature: got.signature,
      }),
    ).toBe(false);
  });

  test("fails when the event id header was changed in transit: a receiver dedupes on it, so it is signed too", async () => {
    const got = await deliverOne();
    const other = "0f8fad5b-d9cb-469f-a165-70867728950e";
    expect(other).not.toBe(got.eventId);
    for (const eventId of [other, null, ""]) {
      expect(
        await verifyWebhookSignature({ secret: SECRET, eventId, body: got.body, timestamp: got.timestamp, signature: got.signature }),
      ).toBe(false);
    }
  });

  test("a captured request replayed after the tolerance is rejected, though its signature is genuine", async () => {
    const got = await deliverOne();
    const later = Number(got.timestamp) * 1000 + 301_000;
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got.eventId,
        body: got.body,
        timestamp: got.timestamp,
        signature: got.signature,
        now: later,
      }),
    ).toBe(false);
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got.eventId,
        body: got.body,
        timestamp: got.timestamp,
        signature: got.signature,
        now: later,
        toleranceS: 600,
      }),
    ).toBe(true);
  });

  test("missing or malformed headers never verify", async () => {
    const got = await deliverOne();
    const hex = got.signature!.slice("sha256=".length);
    for (const [timestamp, signature] of [
      [null, got.signature],
      [got.timestamp, null],
      [got.timestamp, hex],
      [got.timestamp, `sha1=${hex}`],
      [got.timestamp, `sha256=${hex.toUpperCase()}`],
      [got.timestamp, `sha256=${hex.slice(2)}`],
      [`${got.timestamp}.5`, got.signature],
    ] as const) {
      expect(await verifyWebhookSignature({ secret: SECRET, eventId: got.eventId, body: got.body, timestamp, signature })).toBe(false);
    }
  });
});

test("the timestamp comes from the notifier's clock, and verifies against that clock", async () => {
  const receiver = startTestReceiver();
  try {
    const at = 1_700_000_000_123;
    await createWebhookNotifier({ url: receiver.url, secret: SECRET, now: () => at }).send(testNotification());
    const [got] = receiver.requests;
    expect(got!.timestamp).toBe("1700000000");
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got!.eventId,
        body: got!.body,
        timestamp: got!.timestamp,
        signature: got!.signature,
        now: at,
      }),
    ).toBe(true);
    expect(
      await verifyWebhookSignature({
        secret: SECRET,
        eventId: got!.eventId,
        body: got!.body,
        timestamp: got!.timestamp,
        signature: got!.signature,
      }),
    ).toBe(false);
  } finally {
    await receiver.stop();
  }
});

test('signWebhook is HMAC-SHA256 over event id + "." + timestamp + "." + body, hex (a known vector, computed with node:crypto)', async () => {
  const { createHmac } = await import("node:crypto");
  const body = '{"a":1}';
  const id = "018f0e2c-7a4b-7c3d-9e1f-0a1b2c3d4e5f";
  const expected = createHmac("sha256", SECRET).update(`${id}.1700000000.${body}`).digest("hex");
  expect(await signWebhook(await importSigningKey(SECRET), { eventId: id, timestamp: 1_700_000_000, body })).toBe(`sha256=${expected}`);
});
