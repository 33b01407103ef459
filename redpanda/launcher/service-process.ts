import type { Subprocess } from "bun";
import { fileTail, OutputTail } from "./output-tail.ts";

/** Lifecycle shared by every launched service; fault tests drive it while clients stay connected. */
export interface ServiceControl {
  /** SIGTERM (a clean shutdown), waits for the exit; SIGKILL if it takes longer than the grace period. */
  stop(): Promise<void>;
  /** SIGKILL now and wait for the exit: models a crash. */
  kill(): Promise<void>;
  /** Stops it if running, starts the same command again (same ports, same data) and waits until it answers. */
  restart(): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  cmd: string[];
  /** Resolves true once the service answers clients. Must settle within a few seconds. */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
  /** The service's own log file, quoted when start-up fails. */
  logFile?: string;
  stopGraceMs?: number;
}

const POLL_MS = 100;

/** Starts `spec.cmd` and resolves once `spec.ready()` holds; rejects with the output tail when it dies or times out. */
export async function startService(spec: ServiceSpec): Promise<ServiceControl> {
  let proc = await spawnUntilReady(spec);

  const stop = async () => {
    if (!isRunning(proc)) return;
    const current = proc;
    current.kill("SIGTERM");
    const escalate = setTimeout(() => current.kill("SIGKILL"), spec.stopGraceMs ?? 15_000);
    await current.exited;
    clearTimeout(escalate);
  };

  return {
    stop,
    async kill() {
      if (isRunning(proc)) proc.kill("SIGKILL");
      await proc.exited;
    },
    async restart() {
      await stop();
      proc = await spawnUntilReady(spec);
    },
  };
}

async function spawnUntilReady(spec: ServiceSpec): Promise<Subprocess<"ignore", "pipe", "pipe">> {
  const output = new OutputTail();
  const proc = Bun.spawn(spec.cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  // The tail only explains failures; a broken pipe must not become an unhandled rejection.
  const drained = Promise.all([output.follow(proc.stdout), output.follow(proc.stderr)]).catch(() => undefined);
  killOnParentExit(proc);

  const deadline = Date.now() + spec.readyTimeoutMs;
  while (isRunning(proc) && Date.now() < deadline) {
    if (await spec.ready().catch(() => false)) return proc;
    await Promise.race([proc.exited, Bun.sleep(POLL_MS)]);
  }

  const why = isRunning(proc)
    ? `did not answer within ${spec.readyTimeoutMs / 1000} s`
    : `exited (${proc.signalCode ?? `code ${proc.exitCode}`}) before answering`;
  proc.kill("SIGKILL");
  await proc.exited;
  // The last lines usually say why; a grandchild holding the pipes must not hang the error, hence the cap.
  await Promise.race([drained, Bun.sleep(1_000)]);
  const log = spec.logFile ? `\n--- ${spec.logFile} (tail) ---\n${await fileTail(spec.logFile)}` : "";
  throw new Error(`${spec.name} ${why}: ${spec.cmd.join(" ")}\n--- output (tail) ---\n${output.text()}${log}`);
}

function isRunning(proc: Subprocess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

/**
 * A parent that exits without stopping its services (an uncaught error, a test run that
 * bailed out) must not leave brokers holding ports and memory. SIGKILL is the only thing
 * an exit handler can do synchronously; it cannot help when the parent itself is SIGKILLed.
 */
function killOnParentExit(proc: Subprocess): void {
  const onExit = () => proc.kill("SIGKILL");
  process.once("exit", onExit);
  void proc.exited.then(() => process.off("exit", onExit));
}
