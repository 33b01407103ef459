import { mkdtemp, rm } from "node:fs/promises";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { leftoverProcesses } from "../tools/process-scan.ts";
import { startKafka } from "./launcher/kafka.ts";
import { startRedis } from "./launcher/redis.ts";

/**
 * `bun run redpanda/with-services.ts -- <cmd…>`: runs <cmd> with KAFKA_BROKERS and
 * REDIS_URL pointing at a throwaway broker and Redis (in a fresh temp dir), then stops them
 * and exits with the command's code. A variable that is already set is passed through and
 * its service is not started, so the same command runs against shared or CI-provided services.
 * The command must leave no process behind: every process it started carries RUN_MARKER
 * in its environment, and any still alive after it (and a short grace) is listed, killed,
 * and turns the exit code into a failure — so `bun run test` and CI fail on a leak.
 * Without a command it starts the services, prints the variables to export, and waits for
 * Ctrl-C.
 */

interface Services {
  env: Record<string, string>;
  stop: () => Promise<void>;
}

async function startServices(dataDir: string): Promise<Services> {
  const env: Record<string, string> = {};
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    await Promise.all(stops.map((s) => s()));
  };

  // Side by side: the broker's JVM start dominates and Redis costs nothing next to it.
  const results = await Promise.allSettled([
    process.env.REDIS_URL
      ? undefined
      : timed(startRedis).then(([redis, seconds]) => {
          stops.push(redis.stop);
          env.REDIS_URL = redis.url;
          console.error(`[services] redis ${redis.url} ready in ${seconds} s`);
        }),
    process.env.KAFKA_BROKERS
      ? undefined
      : timed(() => startKafka({ dataDir: join(dataDir, "kafka") })).then(([kafka, seconds]) => {
          stops.push(kafka.stop);
          env.KAFKA_BROKERS = kafka.brokers;
          console.error(`[services] kafka ${kafka.brokers} (${kafka.engine}) ready in ${seconds} s`);
        }),
  ]);
  // Every failure is reported, so a machine missing both redis-server and java hears about both at once.
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    await stop();
    throw new Error(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("\n"));
  }
  return { env, stop };
}

async function timed<T>(start: () => Promise<T>): Promise<[T, string]> {
  const t0 = performance.now();
  const service = await start();
  return [service, ((performance.now() - t0) / 1000).toFixed(1)];
}

/** Set in the command's environment, inherited by whatever it starts: how leftovers are recognised. */
export const RUN_MARKER = "FLEETSTREAM_TEST_RUN";

/** Kills what the command left behind; false when there was something. */
async function reapLeftovers(runId: string): Promise<boolean> {
  const left = await leftoverProcesses(RUN_MARKER, runId);
  if (left.length === 0) return true;
  console.error(`[services] the command left ${left.length} process(es) running; killing them:`);
  for (const p of left) {
    console.error(`[services]   ${p.pid} ${p.argv.join(" ").slice(0, 200)}`);
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return false;
}

/** Shell convention: a command killed by signal n exits with 128 + n. */
function signalNumber(signal: NodeJS.Signals | number): number {
  return typeof signal === "number" ? signal : constants.signals[signal];
}

export async function withServices(cmd: string[]): Promise<number> {
  // Handled from the first moment, so a Ctrl-C or `kill` during start-up still stops what started.
  const signalled = Promise.withResolvers<NodeJS.Signals>();
  let received: NodeJS.Signals | undefined;
  let child: Subprocess | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
    // A terminal's Ctrl-C already reaches the whole process group, child included, and a second
    // SIGINT means "force quit" to many tools; a SIGTERM (kill, CI timeout) is aimed at us alone.
    if (signal === "SIGTERM") child?.kill(signal);
    signalled.resolve(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const dataDir = await mkdtemp(join(tmpdir(), "fleetstream-services-"));
  try {
    const services = await startServices(dataDir);
    try {
      if (received) return 128 + signalNumber(received);
      if (cmd.length === 0) {
        for (const [name, value] of Object.entries(services.env)) console.log(`export ${name}=${value}`);
        console.error("[services] running; Ctrl-C stops them");
        await signalled.promise;
        return 0;
      }
      const runId = crypto.randomUUID();
      child = Bun.spawn(cmd, { stdio: ["inherit", "inherit", "inherit"], env: { ...process.env, ...services.env, [RUN_MARKER]: runId } });
      const code = await child.exited;
      const exit = child.signalCode === null ? code : 128 + signalNumber(child.signalCode);
      const clean = await reapLeftovers(runId);
      return exit === 0 && !clean ? 1 : exit;
    } finally {
      await services.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (import.meta.main) {
  // `bun run x.ts -- cmd` strips the "--"; `bun x.ts -- cmd` keeps it.
  const args = process.argv.slice(2);
  try {
    process.exit(await withServices(args[0] === "--" ? args.slice(1) : args));
  } catch (error) {
    console.error(`[services] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
