/**
 * Produce throughput on one broker against a 3-broker cluster, in the same run, one after
 * the other (each started here, then stopped), into the catalogue's driver.locations
 * topic as ensureTopics creates it (1 broker: 1 copy; 3 brokers: 3 copies, min ISR 2):
 *
 *   bun bench/brokers.ts [--records 200000] [--events 40000]
 *
 * Two figures per setup, both acks=all: Kafka's own producer perf tool (the Java client,
 * as fast as it goes; the ceiling) and the gateway's publisher (kafkajs through the
 * KafkaLog adapter) sending fix events of ~300 bytes in batches of 50, 16 in flight.
 * Everything (the brokers and the clients) shares one machine: on a small box three
 * brokers compete with each other and with the clients for the same cores, so this
 * measures what replication costs here, not what a cluster of three machines would give.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startKafka, startKafkaCluster } from "../redpanda/launcher/kafka.ts";
import { DRIVER_LOCATION_REPORTED } from "../shared/events/driver.ts";
import { createEnvelope, toRecord } from "../shared/events/envelope.ts";
import { replicationFor, TOPICS, topicSpec } from "../shared/events/topics.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { runProducerPerformance } from "./ceilings/producer-perf.ts";

const { values: args } = parseArgs({
  options: { records: { type: "string", default: "200000" }, events: { type: "string", default: "40000" } },
});
const RECORDS = Number(args.records);
const EVENTS = Number(args.events);
const BATCH = 50;
const IN_FLIGHT = 16;

async function measure(brokerCount: number): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), "fleet-bench-brokers-"));
  const kafka = brokerCount === 1 ? await startKafka({ dataDir }) : await startKafkaCluster({ dataDir, size: brokerCount });
  try {
    const log = await createKafkaLog({ brokers: kafka.brokers.split(","), clientId: "bench-brokers", logger: () => {} });
    try {
      await log.admin().ensureTopics([topicSpec(TOPICS.driverLocations)]);
      const perf = await runProducerPerformance({
        brokers: kafka.brokers,
        topic: TOPICS.driverLocations,
        records: RECORDS,
        recordBytes: 300,
        timeoutMs: 600_000,
      });
      const records = Array.from({ length: EVENTS }, (_, i) => {
        const driverId = `bench-drv-${i % 10_000}`;
        const e = createEnvelope({
          type: DRIVER_LOCATION_REPORTED,
          key: driverId,
          data: { driverId, fixes: [{ lat: 12.97 + (i % 100) * 1e-4, lng: 77.59, recordedAt: new Date().toISOString() }] },
          source: "bench",
        });
        return toRecord(TOPICS.driverLocations, e);
      });
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < records.length) {
            const batch = records.slice(next, (next += BATCH));
            await log.publisher().publish(batch);
          }
        }),
      );
      const publisherPerS = EVENTS / ((performance.now() - t0) / 1000);
      const r = replicationFor(brokerCount);
      return `| ${brokerCount} | ${r.factor} / ${r.minInsync} | ${Math.round(perf.recordsPerSecond).toLocaleString("en")} | ${perf.p50Ms} | ${perf.p99Ms} | ${Math.round(publisherPerS).toLocaleString("en")} |`;
    } finally {
      await log.close();
    }
  } finally {
    await kafka.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const rows = [await measure(1), await measure(3)];
console.log(`
produce throughput, acks=all, topic driver.locations (12 partitions) as the catalogue creates it; brokers and clients on this one machine
ProducerPerformance: ${RECORDS.toLocaleString("en")} records of 300 B; publisher: ${EVENTS.toLocaleString("en")} fix events, batches of ${BATCH}, ${IN_FLIGHT} in flight

| brokers | copies / min ISR | ProducerPerformance records/s | p50 ms | p99 ms | gateway publisher (kafkajs) events/s |
|---:|---|---:|---:|---:|---:|
${rows.join("\n")}
`);
