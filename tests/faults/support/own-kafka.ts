import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKafka } from "../../../redpanda/launcher/kafka.ts";
import type { KafkaService } from "../../../redpanda/launcher/kafka-service.ts";

/**
 * A broker of this test's own on free ports and a fresh temp data dir: fault tests stop,
 * kill and restart it, which must never happen to the shared services of the run.
 */
export async function startOwnKafka(): Promise<KafkaService & { dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "fleet-faults-kafka-"));
  const kafka = await startKafka({ dataDir });
  return {
    ...kafka,
    async dispose() {
      await kafka.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
