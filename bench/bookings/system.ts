import { join, resolve } from "node:path";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { WORKERS } from "../../workers/catalogue.ts";
import { benchProcessEnv } from "../bench-auth.ts";
import { answersOk, type Child, spawnChild } from "../locations/child-process.ts";

const REPO = resolve(import.meta.dir, "../..");
const READY_TIMEOUT_MS = 60_000;
/**
 * The booking flow: bookings matched against the index that status + location keep
 * current, and the order worker (which expands an order into bookings) once the
 * catalogue has it. Notify and audit consume in their own groups, off the booking path,
 * and are left out (stated in the report).
 */
export const WORKER_NAMES: readonly string[] = [
  "booking",
  "status",
  "location",
  ...WORKERS.filter((w) => w.name === "order").map((w) => w.name),
];

export interface BookingSystem {
  gateway: Child;
  /** The workers process now running (replaced by restartWorkers). */
  readonly workers: Child;
  /** Stops the workers process (SIGTERM), e.g. to let a backlog build. */
  stopWorkers(): Promise<void>;
  /** Starts a workers process again on the same databases; resolves with its pid once it serves /healthz. */
  startWorkers(): Promise<number>;
  url: string;
  /** The workers' Prometheus endpoint. */
  workersMetricsUrl: string;
  stop(): Promise<void>;
}

/**
 * The system under test as production runs it: `bun workers/main.ts booking status
 * location` and `bun gateway/main.ts`, separate processes on the given broker and
 * Redis, libSQL files (history, the gateway's idempotency keys) in `dataDir`. Workers
 * first: they migrate the history file the gateway opens read-only.
 */
export async function startBookingSystem(opts: {
  brokers: string;
  redisUrl: string;
  dataDir: string;
  /** How long each offer wave stands (BOOKING_OFFER_TTL_S); the workers' default when left out (the stream bench seeds accepted trips). */
  offerTtlS?: number;
}): Promise<BookingSystem> {
  const [gatewayPort, metricsPort] = await freePorts(2);
  const env = cleanEnv({
    KAFKA_BROKERS: opts.brokers,
    REDIS_URL: opts.redisUrl,
    DATA_DIR: opts.dataDir,
    LIBSQL_URL: `file:${join(opts.dataDir, "history.db")}`,
    GATEWAY_DB_URL: `file:${join(opts.dataDir, "gateway.db")}`,
    LOG_LEVEL: "warn",
  });
  let generation = 0;
  const spawnWorkers = () =>
    spawnChild("workers", [process.execPath, join(REPO, "workers/main.ts"), ...WORKER_NAMES], {
      env: {
        ...env,
        METRICS_PORT: String(metricsPort),
        ...(opts.offerTtlS === undefined ? {} : { BOOKING_OFFER_TTL_S: String(opts.offerTtlS) }),
      },
      logFile: join(opts.dataDir, `workers-${generation++}.log`),
    });
  let workers = spawnWorkers();
  try {
    await workers.waitReady(() => answersOk(`http://127.0.0.1:${metricsPort}/healthz`), READY_TIMEOUT_MS);
    const gateway = spawnChild("gateway", [process.execPath, join(REPO, "gateway/main.ts")], {
      env: { ...env, PORT: String(gatewayPort) },
      logFile: join(opts.dataDir, "gateway.log"),
    });
    const url = `http://127.0.0.1:${gatewayPort}`;
    try {
      await gateway.waitReady(() => answersOk(`${url}/readyz`), READY_TIMEOUT_MS);
    } catch (err) {
      await gateway.stop();
      throw err;
    }
    return {
      gateway,
      get workers() {
        return workers;
      },
      stopWorkers: () => workers.stop(),
      async startWorkers() {
        workers = spawnWorkers();
        await workers.waitReady(() => answersOk(`http://127.0.0.1:${metricsPort}/healthz`), READY_TIMEOUT_MS);
        return workers.pid;
      },
      url,
      workersMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
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

/** The caller's environment without anything that would point the processes elsewhere (Upstash, another port), plus `vars`. */
const cleanEnv = (vars: Record<string, string>) =>
  benchProcessEnv(vars, [
    "LIBSQL_AUTH_TOKEN",
    "GATEWAY_DB_AUTH_TOKEN",
    "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "PORT",
    "METRICS_PORT",
  ]);
