import { setDefaultTimeout } from "bun:test";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { runWorkerRuntimeContract } from "./runtime.contract.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; group joins and redeliveries take seconds.
setDefaultTimeout(60_000);

function brokers(): string[] {
  const raw = process.env.KAFKA_BROKERS;
  if (!raw) throw new Error("KAFKA_BROKERS is not set: run 'bun run test', which starts a broker");
  return raw
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
}

runWorkerRuntimeContract({
  name: "kafka",
  create: () => createKafkaLog({ brokers: brokers(), clientId: `runtime-contract-${crypto.randomUUID().slice(0, 8)}`, logger: () => {} }),
});
