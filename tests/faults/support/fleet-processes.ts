import { join } from "node:path";
import { TEST_JWT_SECRET } from "../../../gateway/auth/testing-auth.ts";
import { freePorts } from "../../../redpanda/launcher/free-ports.ts";
import { until } from "../../support/until.ts";
import { type SpawnedProcess, spawnProcess, WORKERS_MAIN } from "./processes.ts";

const GATEWAY_MAIN = join(import.meta.dir, "..", "..", "..", "gateway", "main.ts");

export interface GatewayProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  process: SpawnedProcess;
}

/**
 * `bun gateway/main.ts` as production runs it, on a free port, verifying TEST_AUTH's
 * tokens, with budgets no scenario reaches. Resolves once /healthz answers.
 */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnProcess([process.execPath, GATEWAY_MAIN], {
    PORT: String(port),
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_DRIVER: "1000000",
    RATE_LIMIT_CUSTOMER: "1000000",
    LOG_LEVEL: "warn",
    ...env,
  });
  await until(
    async () => {
      if (proc.proc.exitCode !== null) throw new Error(`gateway exited (${proc.proc.exitCode}):\n${proc.tail()}`);
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.status;
    },
    (s) => s === 200,
    `gateway on ${url} answering /healthz`,
    60_000,
  );
  return { url, process: proc };
}

export interface Supervised {
  /** Every process started so far, the running one last. */
  readonly processes: SpawnedProcess[];
  stop(): Promise<void>;
}

/** `bun workers/main.ts <names…>` under a supervisor that restarts it when it exits, as production would. */
export function superviseWorkers(names: string[], env: Record<string, string>): Supervised {
  const processes: SpawnedProcess[] = [];
  let supervising = true;
  const loop = (async () => {
    while (supervising) {
      const w = spawnProcess([process.execPath, WORKERS_MAIN, ...names], { METRICS_PORT: "0", LOG_LEVEL: "warn", ...env });
      processes.push(w);
      await w.proc.exited;
      if (supervising) await Bun.sleep(1_000);
    }
  })();
  return {
    processes,
    async stop() {
      supervising = false;
      await Promise.all(processes.map((p) => p.kill("SIGTERM")));
      await loop;
    },
  };
}
