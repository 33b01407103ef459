import { join, resolve } from "node:path";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { benchProcessEnv } from "../bench-auth.ts";
import { answersOk, type Child, spawnChild } from "./child-process.ts";

const REPO = resolve(import.meta.dir, "../..");
const READY_TIMEOUT_MS = 60_000;

export interface Pipeline {
  gateway: Child;
  workers: Child;
  url: string;
  /** The workers process's Prometheus endpoint (it picks a free port and logs it). */
  workersMetricsUrl: string;
  stop(): Promise<void>;
}

/**
 * The system under test as production runs it: `bun workers/main.ts location status`
 * and `bun gateway/main.ts`, separate processes, on the given broker and Redis, the
 * history database a libSQL file in `dataDir`. Workers first: they migrate the file the
 * gateway then opens read-only.
 */
export async function startPipeline(opts: { brokers: string; redisUrl: string; dataDir: string }): Promise<Pipeline> {
  const env = productionEnv({ KAFKA_BROKERS: opts.brokers, REDIS_URL: opts.redisUrl, DATA_DIR: opts.dataDir, LOG_LEVEL: "info" });
  const workers = spawnChild("workers", [process.execPath, join(REPO, "workers/main.ts"), "location", "status"], {
    env: { ...env, METRICS_PORT: "0" },
    logFile: join(opts.dataDir, "workers.log"),
  });
  try {
    let workersMetricsUrl = "";
    await workers.waitReady(async () => {
      const running = (await Bun.file(workers.logFile).text()).split("\n").find((line) => line.includes('"msg":"workers running"'));
      workersMetricsUrl = running ? (JSON.parse(running) as { metrics: string }).metrics : "";
      return running !== undefined;
    }, READY_TIMEOUT_MS);
    const [port] = await freePorts(1);
    const gateway = spawnChild("gateway", [process.execPath, join(REPO, "gateway/main.ts")], {
      env: { ...env, PORT: String(port) },
      logFile: join(opts.dataDir, "gateway.log"),
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await gateway.waitReady(() => answersOk(`${url}/readyz`), READY_TIMEOUT_MS);
    } catch (err) {
      await gateway.stop();
      throw err;
    }
    return {
      gateway,
      workers,
      url,
      workersMetricsUrl,
      async stop() {
        // The gateway first, so nothing is published to workers that are leaving.
        await gateway.stop();
        await workers.stop();
      },
    };
  } catch (err) {
    await workers.stop();
    throw err;
  }
}

/** The caller's environment without anything that would point the processes elsewhere (another database, Upstash), plus `vars`. */
const productionEnv = (vars: Record<string, string>) =>
  benchProcessEnv(vars, ["LIBSQL_URL", "LIBSQL_AUTH_TOKEN", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "PORT", "METRICS_PORT"]);
