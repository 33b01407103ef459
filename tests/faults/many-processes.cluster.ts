import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asDriver } from "../../gateway/auth/testing-auth.ts";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { type RedisService, startRedis } from "../../redpanda/launcher/redis.ts";
import { type SqldService, startSqld } from "../../redpanda/launcher/sqld.ts";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { TOPIC_CATALOGUE, TOPICS, topicSpec } from "../../shared/events/topics.ts";
import type { EventLog } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { partitionFor } from "../../shared/log/partition.ts";
import { until } from "../support/until.ts";
import { rowCount } from "./support/effects.ts";
import { bookingCounts, dlqTotal, workerLag } from "./support/fleet-counts.ts";
import { type GatewayProcess, type Supervised, spawnGateway, superviseWorkers } from "./support/fleet-processes.ts";
import { AnswerTally, bookingRequest, call, PICKUP, untilAccepted } from "./support/fleet-traffic.ts";
import { assignments } from "./support/group-members.ts";
import { startOwnKafka } from "./support/own-kafka.ts";
import { startAll } from "./support/start-all.ts";

// Part of `bun run test:cluster`. Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(300_000);

const KEYS = 20;
/** The workers this scenario runs (not surge: it keeps no state this scenario counts). */
const RUNNING = ["location", "status", "order", "audit", "notify", "booking"];
const PAIRS = 6;
const dir = mkdtempSync(join(tmpdir(), "fleet-faults-many-"));
let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
let redis: RedisService;
let gatewayDb: SqldService;
let historyDb: SqldService;
let log: EventLog;
let history: Db;
const gateways: GatewayProcess[] = [];
const workers: Supervised[] = [];

beforeAll(async () => {
  await startAll([
    startOwnKafka().then((k) => (kafka = k)),
    startRedis().then((r) => (redis = r)),
    startSqld(join(dir, "gateway-sqld")).then((s) => (gatewayDb = s)),
    startSqld(join(dir, "history-sqld")).then((s) => (historyDb = s)),
  ]);
  log = await createKafkaLog({ brokers: [kafka.brokers], clientId: "faults-many", logger: () => {} });
  await log.admin().ensureTopics(TOPIC_CATALOGUE);
  history = await openLibsql({ url: historyDb.url });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(gateways.map((g) => g.process.kill("SIGTERM")));
  history?.close();
  await log?.close();
  await Promise.all([redis?.stop(), gatewayDb?.stop(), historyDb?.stop(), kafka?.dispose()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A pair's place: 11 km from the others, so the first wave (1 km) offers its bookings to its own driver only. */
const pairSpot = (k: number) => ({ lat: PICKUP.lat + (k + 1) * 0.1, lng: PICKUP.lng });

test("two gateways on one gateway database (sqld) and the booking worker over two processes: one booking per Idempotency-Key, one held booking per driver", async () => {
  const started = performance.now();
  const env = { KAFKA_BROKERS: kafka.brokers, REDIS_URL: redis.url, LIBSQL_URL: historyDb.url, DATA_DIR: dir };
  // One process starts first and migrates the shared history database; the rest start once it is up.
  const [metricsPort] = await freePorts(1);
  workers.push(superviseWorkers(RUNNING, { ...env, METRICS_PORT: String(metricsPort) }));
  await until(
    () =>
      fetch(`http://127.0.0.1:${metricsPort}/healthz`)
        .then((r) => r.status)
        .catch(() => 0),
    (s) => s === 200,
    "the first worker process up",
    90_000,
  );
  workers.push(superviseWorkers(["booking"], env));
  gateways.push(await spawnGateway({ ...env, GATEWAY_DB_URL: gatewayDb.url }));
  gateways.push(await spawnGateway({ ...env, GATEWAY_DB_URL: gatewayDb.url }));
  const [gw1, gw2] = gateways.map((g) => g.url) as [string, string];
  const members = await until(
    () => assignments(kafka.brokers, "fleet-booking", TOPICS.bookings),
    (m) => m.size === 2 && [...m.values()].every((p) => p.length > 0),
    "two booking processes sharing the bookings partitions",
    90_000,
  );
  const answers = new AnswerTally();

  // 1. The same Idempotency-Key sent to both gateways at the same moment.
  const sameKey = await Promise.all(
    Array.from({ length: KEYS }, async (_, i) => {
      const b = bookingRequest(`mp-cust-${i % 5}`, `mp-key-${i}`);
      const send = (gw: string) => untilAccepted(() => call(gw, "POST", "/v1/bookings", b.body, { "idempotency-key": b.key }), answers);
      const [a1, a2] = await Promise.all([send(gw1), send(gw2)]);
      return { bookingId: b.bookingId, answers: [a1, a2] };
    }),
  );
  const bothAccepted = sameKey.filter((k) => k.answers.every((a) => a.status === 202)).length;
  const sameAnswer = sameKey.filter((k) => k.answers.every((a) => (a.json as { bookingId?: string }).bookingId === k.bookingId)).length;
  const keyIds = sameKey.map((k) => k.bookingId);
  await until(
    () => bookingCounts(history, keyIds),
    (c) => c.rows === KEYS,
    "the keyed bookings applied",
    90_000,
  );

  // 2. A driver accepting two bookings at once, one through each gateway.
  const drivers = Array.from({ length: PAIRS }, (_, k) => `mp-drv-${k}`);
  for (const [k, d] of drivers.entries()) {
    const gw = k % 2 ? gw2 : gw1;
    const other = k % 2 ? gw1 : gw2;
    await untilAccepted(() => call(gw, "PUT", `/v1/drivers/${d}/status`, { status: "available", vehicleType: "sedan" }), answers);
    await untilAccepted(
      () => call(other, "POST", `/v1/drivers/${d}/locations`, { fixes: [{ ...pairSpot(k), recordedAt: new Date().toISOString() }] }),
      answers,
    );
  }
  await until(
    async () =>
      (await Promise.all(drivers.map((d) => call(gw1, "GET", `/v1/drivers/${d}`, undefined, asDriver(d))))).map(
        (a) => a.json as { status?: string; lastFix?: unknown },
      ),
    (states) => states.every((s) => s.status === "available" && s.lastFix),
    "every driver available at its spot",
    60_000,
  );
  // Each pair's two bookings on partitions of different booking processes, so the two accepts are judged apart.
  const partitions = topicSpec(TOPICS.bookings).partitions;
  const memberIds = [...members.keys()];
  const ownerOf = (bookingId: string) => [...members].find(([, ps]) => ps.includes(partitionFor(bookingId, partitions)))?.[0];
  const pairs = drivers.map((d, k) => ({
    driverId: d,
    bookings: [0, 1].map((j) => {
      let b = bookingRequest(`mp-pair-cust-${k}-${j}`, `mp-pair-${k}-${j}-0`);
      for (let n = 1; ownerOf(b.bookingId) !== memberIds[j]; n++) b = bookingRequest(`mp-pair-cust-${k}-${j}`, `mp-pair-${k}-${j}-${n}`);
      return { ...b, body: { ...b.body, pickup: pairSpot(k), dropoff: { lat: pairSpot(k).lat + 0.02, lng: pairSpot(k).lng } } };
    }),
  }));
  for (const p of pairs)
    for (const [j, b] of p.bookings.entries())
      await untilAccepted(() => call(j ? gw2 : gw1, "POST", "/v1/bookings", b.body, { "idempotency-key": b.key }), answers);
  const offered = (p: (typeof pairs)[number]) =>
    rowCount(
      history,
      `SELECT count(*) FROM booking_offers WHERE driver_id = '${p.driverId}' AND booking_id IN ('${p.bookings[0]!.bookingId}','${p.bookings[1]!.bookingId}')`,
    );
  for (const p of pairs)
    await until(
      () => offered(p),
      (n) => n === 2,
      `both bookings offered to ${p.driverId}`,
      90_000,
    );
  const accepts = await Promise.all(
    pairs.flatMap((p) =>
      p.bookings.map((b, j) =>
        untilAccepted(() => call(j ? gw2 : gw1, "POST", `/v1/bookings/${b.bookingId}/accept`, {}, asDriver(p.driverId)), answers),
      ),
    ),
  );
  // Each accept is judged where its booking's partition is: applied, or refused with its reason.
  const pairIds = (p: (typeof pairs)[number]) => `'${p.bookings[0]!.bookingId}','${p.bookings[1]!.bookingId}'`;
  const judged = (p: (typeof pairs)[number]) =>
    rowCount(history, `SELECT count(*) FROM booking_events WHERE type = 'booking.accepted' AND booking_id IN (${pairIds(p)})`);
  for (const p of pairs)
    await until(
      () => judged(p),
      (n) => n >= 2,
      `both accepts of ${p.driverId} judged`,
      90_000,
    );
  const holds = await Promise.all(
    pairs.map((p) =>
      rowCount(history, `SELECT count(*) FROM bookings WHERE driver_id = '${p.driverId}' AND status IN ('accepted', 'started')`),
    ),
  );
  const applied = await rowCount(
    history,
    `SELECT count(*) FROM booking_events WHERE type = 'booking.accepted' AND applied = 1 AND booking_id IN (${pairs.map(pairIds).join(",")})`,
  );
  // Refused driver-busy: the reason names the booking the driver already holds (shared/booking/state-machine.ts).
  const busyRefusals = await rowCount(
    history,
    `SELECT count(*) FROM booking_events WHERE type = 'booking.accepted' AND applied = 0 AND reason LIKE '%already holds booking%' AND booking_id IN (${pairs.map(pairIds).join(",")})`,
  );
  // Still split as chosen (no rebalance moved a partition meanwhile).
  const after = await assignments(kafka.brokers, "fleet-booking", TOPICS.bookings);
  const ownerAfter = (bookingId: string) => [...after].find(([, ps]) => ps.includes(partitionFor(bookingId, partitions)))?.[0];
  const split = pairs.filter((p) => ownerAfter(p.bookings[0]!.bookingId) !== ownerAfter(p.bookings[1]!.bookingId)).length;

  const lag = await until(
    () => workerLag(log, RUNNING),
    (l) => l === 0,
    "the running worker groups' lag drained",
    90_000,
  );
  const keyed = await bookingCounts(history, keyIds);
  const dlq = await dlqTotal(log);
  const gatewayKeys = await (async () => {
    const db = await openLibsql({ url: gatewayDb.url });
    try {
      return await rowCount(db, "SELECT count(*) FROM idempotency_keys WHERE idem_key LIKE 'mp-key-%'");
    } finally {
      db.close();
    }
  })();
  console.log(
    `[faults many-processes] 2 gateways on one sqld gateway db, booking worker in 2 processes (partitions ${[...members.values()].map((p) => p.join(",")).join(" | ")}), history on sqld; ` +
      `same key to both gateways ×${KEYS}: both 202 ${bothAccepted}, same booking id ${sameAnswer}, keys stored ${gatewayKeys}, booking rows ${keyed.rows}, requested once ${keyed.requestedOnce}, twice ${keyed.requestedTwice}, audited ${keyed.audited}; ` +
      `${PAIRS} drivers each accepting 2 bookings at once via different gateways (${split}/${PAIRS} pairs' bookings on partitions of different booking processes): accepts 202 ${accepts.filter((a) => a.status === 202).length}/${accepts.length}, holds per driver ${holds.join(",")}, accepts applied ${applied}, refused driver-busy ${busyRefusals}; ` +
      `answers ${answers.summary()}, dlq ${dlq}, lag ${lag}; total ${Math.round(performance.now() - started)} ms`,
  );
  expect({ bothAccepted, sameAnswer, gatewayKeys, ...keyed }).toEqual({
    bothAccepted: KEYS,
    sameAnswer: KEYS,
    gatewayKeys: KEYS,
    rows: KEYS,
    requestedOnce: KEYS,
    requestedTwice: 0,
    audited: KEYS,
  });
  expect(holds).toEqual(drivers.map(() => 1));
  expect({ applied, busyRefusals }).toEqual({ applied: PAIRS, busyRefusals: PAIRS });
  expect(split).toBe(PAIRS);
  expect(answers.otherServerErrors()).toBe(0);
  expect({ dlq, lag }).toEqual({ dlq: 0, lag: 0 });
});
