import { join } from "node:path";
import { startKafka } from "../../redpanda/launcher/kafka.ts";
import { startRedis } from "../../redpanda/launcher/redis.ts";
import { findPid } from "./process-stats.ts";

export interface BenchServices {
  brokers: string;
  redisUrl: string;
  /** Only for services this run started: a shared one's CPU is not ours to attribute. */
  pids: { kafka?: number; redis?: number };
  describe: string;
  stop(): Promise<void>;
}

/**
 * The broker and Redis: KAFKA_BROKERS / REDIS_URL when set (their data is left alone
 * apart from the benchmark's own topics and keys), else fresh ones started side by side
 * by the service launcher under `dataDir`.
 */
export async function startBenchServices(dataDir: string): Promise<BenchServices> {
  const kafkaDir = join(dataDir, "kafka");
  const [redis, kafka] = await Promise.all([
    process.env.REDIS_URL ? undefined : startRedis(),
    process.env.KAFKA_BROKERS ? undefined : startKafka({ dataDir: kafkaDir }),
  ]);
  const redisUrl = process.env.REDIS_URL ?? redis!.url;
  const brokers = process.env.KAFKA_BROKERS ?? kafka!.brokers;
  return {
    brokers,
    redisUrl,
    pids: {
      // The launcher does not expose pids; its command lines are unique enough (our port, our data dir).
      redis: redis && findPid((args) => args.join(" ").includes("redis-server") && args.join(" ").includes(`:${redis.port}`)),
      kafka: kafka && findPid((args) => args.some((a) => a.startsWith(kafkaDir)) && !args.some((a) => a.endsWith(".ts"))),
    },
    describe: `${kafka ? `${kafka.engine} started by the bench` : `KAFKA_BROKERS=${brokers}`}, ${redis ? "redis-server started by the bench" : `REDIS_URL=${redisUrl}`}`,
    async stop() {
      await Promise.all([redis?.stop(), kafka?.stop()]);
    },
  };
}
