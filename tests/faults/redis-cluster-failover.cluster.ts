import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asOperator } from "../../gateway/auth/testing-auth.ts";
import { type RedisClusterService, startRedisCluster } from "../../redpanda/launcher/redis-cluster.ts";
import { DRIVER_LOCATION_REPORTED, DRIVER_STATUS_CHANGED } from "../../shared/events/driver.ts";
import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../../shared/events/topics.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { connectRedisCluster } from "../../shared/geo/redis-cluster/connect-cluster.ts";
import { CLUSTER_DEFAULT_PARTITIONS, createRedisClusterGeoIndex } from "../../shared/geo/redis-cluster/redis-cluster-geo.ts";
import { partitionPrefix } from "../../shared/geo/redis-layout/redis-keys.ts";
import type { EventLog, OutgoingRecord } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { until } from "../support/until.ts";
import { dlqTotal, workerLag } from "./support/fleet-counts.ts";
import { type GatewayProcess, type Supervised, spawnGateway, superviseWorkers } from "./support/fleet-processes.ts";
import { startOwnKafka } from "./support/own-kafka.ts";
import { startAll } from "./support/start-all.ts";

// Part of `bun run test:cluster`. Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(300_000);

const DRIVERS = 60;
const dir = mkdtempSync(join(tmpdir(), "fleet-faults-redis-cluster-"));
let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
let cluster: RedisClusterService;
let log: EventLog;
let geo: GeoIndex;
let workers: Supervised | undefined;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  await startAll([
    startOwnKafka().then((k) => (kafka = k)),
    startRedisCluster({ dataDir: join(dir, "redis"), replicas: 1, nodeTimeoutMs: 2_000 }).then((c) => (cluster = c)),
  ]);
  log = await createKafkaLog({ brokers: [kafka.brokers], clientId: "faults-redis-cluster", logger: () => {} });
  await log.admin().ensureTopics(TOPIC_CATALOGUE);
  geo = await createRedisClusterGeoIndex({ urls: cluster.urls });
});
afterAll(async () => {
  await workers?.stop();
  await gateway?.process.kill("SIGTERM");
  await geo?.close();
  await log?.close();
  await cluster?.stop();
  await kafka?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const driverId = (i: number) => `rc-drv-${i}`;
const driverIds = Array.from({ length: DRIVERS }, (_, i) => driverId(i));
// About a metre per round (100 ms apart): a plausible speed, so no fix is flagged.
const at = (i: number, n: number) => ({ lat: 12.97 + n * 0.00001, lng: 77.59 + i * 0.001 });

function fixRecord(i: number, n: number, recordedAt: number): OutgoingRecord {
  const id = driverId(i);
  const e = createEnvelope({
    type: DRIVER_LOCATION_REPORTED,
    key: id,
    data: { driverId: id, fixes: [{ ...at(i, n), recordedAt: new Date(recordedAt).toISOString() }] },
    source: "gateway",
  });
  return toRecord(TOPICS.driverLocations, e);
}

function availableRecord(i: number): OutgoingRecord {
  const id = driverId(i);
  const e = createEnvelope({
    type: DRIVER_STATUS_CHANGED,
    key: id,
    data: { driverId: id, status: "available", vehicleType: "bike", changedAt: new Date().toISOString() },
    source: "gateway",
  });
  return toRecord(TOPICS.driverStatus, e);
}

test("Redis Cluster: a master SIGKILLed during fix ingest fails over to its replica; the workers pause and recover, nothing dead-lettered", async () => {
  const started = performance.now();
  const env = {
    KAFKA_BROKERS: kafka.brokers,
    REDIS_CLUSTER_URLS: cluster.urls.join(","),
    LIBSQL_URL: `file:${join(dir, "history.db")}`,
    DATA_DIR: dir,
  };
  workers = superviseWorkers(["location", "status"], env);
  // The operator console's driver list, read through a gateway on the same cluster.
  gateway = await spawnGateway({ ...env, GATEWAY_DB_URL: `file:${join(dir, "gateway.db")}` });
  await log.publisher().publish(Array.from({ length: DRIVERS }, (_, i) => availableRecord(i)));

  let published = 0;
  let round = 0;
  let sending = true;
  const traffic = (async () => {
    while (sending) {
      const now = Date.now();
      await log.publisher().publish(Array.from({ length: DRIVERS }, (_, i) => fixRecord(i, round, now)));
      published += DRIVERS;
      round++;
      await Bun.sleep(100);
    }
  })();
  try {
    await until(
      () => geo.get(driverId(0)),
      (s) => s?.status === "available" && s.position !== null,
      "drivers in the index before the kill",
      60_000,
    );

    // The master holding the most of the index's partitions.
    const admin = await connectRedisCluster(cluster.urls);
    const slots = await Promise.all(
      Array.from({ length: CLUSTER_DEFAULT_PARTITIONS }, async (_, p) =>
        Number(await admin.call("CLUSTER", "KEYSLOT", partitionPrefix("fs:", p))),
      ),
    );
    admin.disconnect();
    const owners = await Promise.all(slots.map((s) => cluster.masterOf(s)));
    const victim = [...owners].sort((a, b) => owners.filter((o) => o === b).length - owners.filter((o) => o === a).length)[0]!;
    const victimPartitions = owners.filter((o) => o === victim).length;
    const retriesBefore = retryLines(workers);
    const beforeKill = published;
    const killedAt = performance.now();
    await victim.kill();
    const promoted = await cluster.waitFailover(slots[owners.indexOf(victim)] ?? slots[0]!, victim);
    const failoverMs = Math.round(performance.now() - killedAt);
    await Bun.sleep(3_000);
    sending = false;
    await traffic;
    const duringFailover = published - beforeKill;

    // The newest fix of every driver, after the failover: each must be in the index and found nearby.
    const lastRound = round + 1;
    const lastAt = Date.now();
    await log.publisher().publish(Array.from({ length: DRIVERS }, (_, i) => fixRecord(i, lastRound, lastAt)));
    const visible = await until(
      async () => {
        let n = 0;
        for (let i = 0; i < DRIVERS; i++) if ((await geo.get(driverId(i)))?.position?.recordedAt === lastAt) n++;
        return n;
      },
      (n) => n === DRIVERS,
      "every driver's newest fix in the index after the failover",
      60_000,
    );
    const recoveredMs = Math.round(performance.now() - killedAt);
    const found = await geo.nearby({
      ...at(DRIVERS / 2, lastRound),
      radiusM: 20_000,
      vehicleType: "bike",
      limit: 100,
      now: lastAt,
      staleAfterMs: 60_000,
    });
    const listed = await listedByConsole(gateway);
    const listedNewest = driverIds.filter((id) => listed.get(id) === new Date(lastAt).toISOString()).length;
    const lag = await until(
      () => workerLag(log, ["location", "status"]),
      (l) => l === 0,
      "location and status lag drained",
      60_000,
    );
    const dlq = await dlqTotal(log);
    const pauses = retryLines(workers) - retriesBefore;

    await victim.restart();
    await cluster.waitHealthy();
    console.log(
      `[faults redis-cluster-failover] 3 masters + 3 replicas, ${CLUSTER_DEFAULT_PARTITIONS} partitions; killed master :${victim.port} (${victimPartitions} partitions), replica :${promoted.port} promoted ${failoverMs} ms later; ` +
        `${published} fix events published (${duringFailover} from the kill to 3 s after the failover), worker retries (pauses) ${pauses}, dlq ${dlq}, lag ${lag}; ` +
        `newest fix of ${visible}/${DRIVERS} drivers in the index ${recoveredMs} ms after the kill, nearby finds ${found.length}/${DRIVERS}, the console's driver list (GET /v1/operator/drivers, pages of 7) shows ${listedNewest}/${DRIVERS} at their newest fix; worker restarts ${workers.processes.length - 1}; total ${Math.round(performance.now() - started)} ms`,
    );
    expect({ dlq, lag, visible, found: found.length, listedNewest }).toEqual({
      dlq: 0,
      lag: 0,
      visible: DRIVERS,
      found: DRIVERS,
      listedNewest: DRIVERS,
    });
    expect(promoted.port).not.toBe(victim.port);
    expect(pauses).toBeGreaterThan(0);
    // Paused and recovered in place: no worker process died on the way.
    expect(workers.processes.length).toBe(1);
  } finally {
    sending = false;
    await traffic;
  }
});

/** driverId → recordedAt of every driver the operator route lists, walking every page (small ones, so the walk crosses masters). */
async function listedByConsole(gw: GatewayProcess): Promise<Map<string, string | null>> {
  const listed = new Map<string, string | null>();
  let cursor: string | null = null;
  do {
    const res = await fetch(`${gw.url}/v1/operator/drivers?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
      headers: asOperator(),
    });
    if (res.status !== 200) {
      throw new Error(`GET /v1/operator/drivers answered ${res.status}: ${await res.text()}\ngateway log:\n${gw.process.tail()}`);
    }
    const page = (await res.json()) as { drivers: { driverId: string; recordedAt: string | null }[]; nextCursor: string | null };
    for (const d of page.drivers) listed.set(d.driverId, d.recordedAt);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return listed;
}

/** Worker log lines saying a batch is being retried (the runtime's pause on a dependency outage). */
function retryLines(w: Supervised): number {
  return w.processes.reduce((n, p) => n + p.lines.filter((l) => l.includes('"msg":"retrying')).length, 0);
}
