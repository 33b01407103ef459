import { describe, setDefaultTimeout } from "bun:test";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { runCliContract } from "./cli.contract.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; group joins and offset resets take seconds on Kafka.
setDefaultTimeout(60_000);

describe("fleet CLI on Kafka", () => {
  // Called per test, not at import: without a broker every test fails saying how to get one.
  runCliContract({
    name: "kafka",
    create: async () => createKafkaLog({ brokers: brokersFromEnv(), clientId: uniqueName("fleet-cli-test") }),
  });
});
