import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_JWT_SECRET, tokenFor } from "../../gateway/auth/testing-auth.ts";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { type RedisService, startRedis } from "../../redpanda/launcher/redis.ts";
import { bookingIdForRequest, requestedEventId } from "../../shared/booking/ids.ts";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../../shared/events/topics.ts";
import type { EventLog } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { until } from "../support/until.ts";
import { lagOf, readLog, rowCount } from "./support/effects.ts";
import { startOwnKafka } from "./support/own-kafka.ts";
import { type SpawnedProcess, spawnProcess, WORKERS_MAIN } from "./support/processes.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(240_000);

const GATEWAY_MAIN = join(import.meta.dir, "..", "..", "gateway", "main.ts");
const CLIENTS = 24;
const KILLS = 3;
/** 202s between kills: enough that each kill lands among group commits and publishes in flight. */
const ACCEPTED_BETWEEN_KILLS = 400;
const dir = mkdtempSync(join(tmpdir(), "fleet-faults-gateway-kill-"));
const historyUrl = `file:${join(dir, "history.db")}`;

let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
let redis: RedisService;
let log: EventLog;
let history: Db;

beforeAll(async () => {
  [kafka, redis] = await Promise.all([startOwnKafka(), startRedis()]);
  log = await createKafkaLog({ brokers: [kafka.brokers], clientId: "faults-gateway-kill", logger: () => {} });
  await log.admin().ensureTopics(TOPIC_CATALOGUE);
  history = await openLibsql({ url: historyUrl });
});
afterAll(async () => {
  history?.close();
  await log?.close();
  await Promise.all([kafka?.dispose(), redis?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

interface Attempt {
  customerId: string;
  key: string;
  bookingId: string;
  /** The answer; undefined while the gateway is down. */
  outcome?: { status: number; bookingId?: string; replayed: boolean };
  /** Sends that got no answer (the gateway was killed or not yet back), each retried with the same key. */
  lost: number;
}

const BODY = JSON.stringify({ pickup: { lat: 12.9716, lng: 77.5946 }, dropoff: { lat: 12.9352, lng: 77.6245 }, vehicleType: "sedan" });

async function post(url: string, a: Attempt): Promise<Attempt["outcome"] | "lost"> {
  try {
    const res = await fetch(`${url}/v1/bookings`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${tokenFor({ role: "customer", sub: a.customerId })}`,
        "idempotency-key": a.key,
      },
      body: BODY,
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await res.json().catch(() => ({}))) as { bookingId?: string };
    return { status: res.status, bookingId: json.bookingId, replayed: res.headers.get("idempotent-replayed") === "true" };
  } catch {
    return "lost";
  }
}

test("j. gateway process SIGKILLed 3× under booking load, restarted on the same database: every 202'd booking applied exactly once", async () => {
  const started = performance.now();
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const gatewayEnv = {
    KAFKA_BROKERS: kafka.brokers,
    REDIS_URL: redis.url,
    DATA_DIR: dir,
    GATEWAY_DB_URL: `file:${join(dir, "gateway.db")}`,
    LIBSQL_URL: historyUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: String(port),
    LOG_LEVEL: "warn",
    // Each client books back to back as one customer: on a quiet box the default budget (30 per window) answers 429.
    RATE_LIMIT_CUSTOMER: "1000000",
  };
  // The booking worker first: it migrates the history database the gateway reads.
  const worker = spawnProcess([process.execPath, WORKERS_MAIN, "booking"], {
    KAFKA_BROKERS: kafka.brokers,
    LIBSQL_URL: historyUrl,
    DATA_DIR: dir,
    METRICS_PORT: "0",
    LOG_LEVEL: "info",
  });
  const gateways: SpawnedProcess[] = [];
  const startGateway = async () => {
    const g = spawnProcess([process.execPath, GATEWAY_MAIN], gatewayEnv);
    gateways.push(g);
    await until(
      () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      (ok) => ok,
      "the gateway to listen",
      60_000,
    );
  };

  const attempts: Attempt[] = [];
  const accepted = () => attempts.filter((a) => a.outcome?.status === 202).length;
  let sending = true;
  // Each client books, and like an app retries a request that got no answer with the same Idempotency-Key until it gets one.
  const client = async (c: number) => {
    for (let i = 0; sending; i++) {
      const customerId = `cust-kill-${c}`;
      const key = `kill-${c}-${i}`;
      const a: Attempt = { customerId, key, bookingId: bookingIdForRequest(customerId, key), lost: 0 };
      attempts.push(a);
      for (;;) {
        const outcome = await post(url, a);
        if (outcome !== "lost") {
          a.outcome = outcome;
          break;
        }
        a.lost++;
        await Bun.sleep(100);
      }
    }
  };

  try {
    await worker.waitForLine((l) => l.includes('"msg":"workers running"'), 60_000);
    await startGateway();
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await until(accepted, (n) => n >= (k + 1) * ACCEPTED_BETWEEN_KILLS, `${(k + 1) * ACCEPTED_BETWEEN_KILLS} bookings accepted`, 120_000);
      const g = gateways.at(-1)!;
      await g.kill("SIGKILL");
      expect(g.proc.signalCode).toBe("SIGKILL");
      killedAt.push(accepted());
      await startGateway();
    }
    await until(accepted, (n) => n >= (KILLS + 1) * ACCEPTED_BETWEEN_KILLS, "bookings accepted after the last restart", 120_000);
    sending = false;
    await Promise.all(clients);

    const retried = attempts.filter((a) => a.lost > 0);
    const ok = attempts.filter((a) => a.outcome?.status === 202);
    const notOk = attempts.filter((a) => a.outcome?.status !== 202);
    const wrongId = ok.filter((a) => a.outcome?.bookingId !== a.bookingId);

    const ids = ok.map((a) => a.bookingId);
    const inList = ids.map((id) => `'${id}'`).join(",");
    await until(
      () => rowCount(history, `SELECT count(*) FROM bookings WHERE booking_id IN (${inList})`),
      (n) => n === ids.length,
      `${ids.length} bookings applied by the worker`,
      120_000,
    );
    await until(
      () => lagOf(log, "fleet-booking", [TOPICS.bookings]),
      (lag) => lag === 0,
      "the booking worker's lag to drain",
      60_000,
    );
    // A late duplicate would land in this window.
    await Bun.sleep(1_000);

    const rows = await rowCount(history, `SELECT count(*) FROM bookings WHERE customer_id LIKE 'cust-kill-%'`);
    const requested = await rowCount(
      history,
      `SELECT count(*) FROM booking_events WHERE type = 'booking.requested' AND booking_id IN (${inList})`,
    );
    const processed = await rowCount(
      history,
      `SELECT count(*) FROM processed_events WHERE consumer_group = 'fleet-booking' AND event_id IN (${ids.map((id) => `'${requestedEventId(id)}'`).join(",")})`,
    );
    const wanted = new Set(ids.map(requestedEventId));
    const logged = (await readLog(log, [TOPICS.bookings])).filter((r) => wanted.has(r.id));
    const loggedRequested = new Set(logged.map((r) => r.id));
    const duplicatesInLog = logged.length - loggedRequested.size;
    console.log(
      `[faults j] ${KILLS} gateway SIGKILLs at ${killedAt.join(", ")} accepted bookings; ${attempts.length} requests, ${ok.length} answered 202 ` +
        `(${retried.length} had no answer from a killed or restarting gateway and were retried with their keys, ${retried.filter((a) => a.outcome?.replayed).length} of them already stored before the kill), ${notOk.length} not 202; booking rows ${rows}, ` +
        `booking.requested applied ${requested}, processed ${processed}; requested events in the log ${loggedRequested.size} ` +
        `(+${duplicatesInLog} republished after a kill, deduped); total ${Math.round(performance.now() - started)} ms`,
    );
    expect(notOk).toEqual([]);
    expect(wrongId).toEqual([]);
    expect({ rows, requested, processed, inLog: loggedRequested.size }).toEqual({
      rows: ok.length,
      requested: ok.length,
      processed: ok.length,
      inLog: ok.length,
    });
  } finally {
    sending = false;
    await Promise.all(gateways.map((g) => g.kill("SIGTERM")));
    await worker.kill("SIGTERM");
  }
});
