import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requestedEventId } from "../shared/booking/ids.ts";
import { openLibsql } from "../shared/db/open-libsql.ts";
import { createEnvelope, parseEnvelope, toRecord } from "../shared/events/envelope.ts";
import { ORDER_CREATED, type OrderCreated } from "../shared/events/order.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { createdEventId } from "../shared/order/ids.ts";
import { expandTrucks } from "../shared/order/trucks.ts";
import { until } from "./bookings-env.ts";
import { withDeadLetters } from "./support/test-topics.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; two worker lifetimes and a session expiry take a while.
setDefaultTimeout(120_000);

const WORKER = join(import.meta.dir, "orders-worker-process.ts");
const dir = mkdtempSync(join(tmpdir(), "fleet-orders-sigkill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a 50-truck order yields exactly 50 bookings when the order worker is SIGKILLed mid-expansion; replaying the orders topic adds none", async () => {
  const brokers = brokersFromEnv();
  const topics = { orders: uniqueName("orders-sigkill"), bookings: uniqueName("bookings-sigkill") };
  const group = uniqueName("fleet-order-sigkill");
  const url = `file:${join(dir, "history.db")}`;
  const log = await createKafkaLog({ brokers, clientId: uniqueName("orders-sigkill"), logger: () => {} });
  const spec = (name: string) => withDeadLetters(name, { keyField: "id", description: "orders sigkill" });
  await log.admin().ensureTopics([...spec(topics.orders), ...spec(topics.bookings)]);

  const orderId = crypto.randomUUID();
  const data: OrderCreated = {
    orderId,
    customerId: "cust-sigkill",
    pickup: { lat: 12.9716, lng: 77.5946 },
    dropoff: { lat: 13.0827, lng: 80.2707 },
    trucks: [
      { vehicleType: "tipper", quantity: 10 },
      { vehicleType: "container", quantity: 20 },
      { vehicleType: "open", quantity: 20 },
    ],
  };
  const order = createEnvelope({ id: createdEventId(orderId), type: ORDER_CREATED, key: orderId, data, source: "orders-sigkill-test" });
  await log.publisher().publish([toRecord(topics.orders, order)]);

  // Everything on the bookings topic, read by a probe group of our own.
  const seen: { bookingId: string; id: string }[] = [];
  const probe = await log.subscriber().subscribe({
    group: uniqueName("orders-sigkill-probe"),
    topics: [topics.bookings],
    handler: async (b) => void seen.push(...b.records.map((r) => ({ bookingId: r.key, id: parseEnvelope(r.value).id }))),
  });
  const spawn = (delayMs: number) =>
    Bun.spawn([process.execPath, WORKER], {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers.join(","),
        ORDERS_TOPIC: topics.orders,
        BOOKINGS_TOPIC: topics.bookings,
        GROUP: group,
        LIBSQL_URL: url,
        PUBLISH_DELAY_MS: String(delayMs),
      },
      stdout: "inherit",
      stderr: "inherit",
    });
  const lagOf = async () => (await log.admin().lag(group, [topics.orders])).reduce((n, p) => n + p.lag, 0);
  const distinct = () => new Set(seen.map((s) => s.bookingId));
  const reader = await openLibsql({ url: `${url}` });
  try {
    const first = spawn(100);
    await until(
      () => seen.length,
      (n) => n >= 10,
      "the first worker to publish some bookings",
      60_000,
    );
    first.kill("SIGKILL");
    expect(await first.exited).not.toBe(0);
    const atKill = distinct().size;
    expect(atKill).toBeLessThan(50);

    const second = spawn(0);
    await until(
      async () => [distinct().size, await lagOf()],
      ([n, lag]) => n === 50 && lag === 0,
      "the restarted worker to finish the order",
      90_000,
    );
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    await Bun.sleep(500);

    const expected = expandTrucks(orderId, data.trucks).map((t) => t.bookingId);
    expect(distinct()).toEqual(new Set(expected));
    // Republished records are the same events: one event id per booking, the one the booking worker dedupes on.
    expect(seen.every((s) => s.id === requestedEventId(s.bookingId))).toBe(true);
    const trucks = await reader.client.execute({
      sql: "SELECT count(*) AS n, count(DISTINCT booking_id) AS d FROM order_trucks WHERE order_id = ?",
      args: [orderId],
    });
    expect([Number(trucks.rows[0]!.n), Number(trucks.rows[0]!.d)]).toEqual([50, 50]);
    const records = seen.length;
    console.log(
      `orders sigkill: ${atKill} of 50 bookings published when SIGKILLed; ${records} booking.requested records in all, ${distinct().size} distinct bookings`,
    );

    // Replay: the group rewound to the start of the orders topic publishes no booking.
    await log.admin().resetOffsets(group, topics.orders, { to: "earliest" });
    const third = spawn(0);
    await until(lagOf, (lag) => lag === 0, "the replay to finish", 60_000);
    await Bun.sleep(1_000);
    third.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    expect(seen.length).toBe(records);
  } finally {
    await probe.stop();
    reader.close();
    await log.close();
  }
});
