import type { Subprocess } from "bun";
import { fileTail } from "../../redpanda/launcher/output-tail.ts";

const STOP_GRACE_MS = 10_000;

export interface Child {
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM (the process's own graceful shutdown), SIGKILL after a grace period; resolves once it exited. */
  stop(): Promise<void>;
  /** Resolves once `ready` holds; rejects with the log's tail when the process dies or `timeoutMs` passes. */
  waitReady(ready: () => Promise<boolean>, timeoutMs: number): Promise<void>;
}

/**
 * A process of the system under test (gateway, workers, a ceiling server), its stdout and
 * stderr in `logFile`. Like the service launcher it is SIGKILLed if the benchmark exits
 * without stopping it, so an aborted run leaves nothing holding ports or CPU.
 */
export function spawnChild(name: string, cmd: string[], opts: { env?: Record<string, string | undefined>; logFile: string }): Child {
  const log = Bun.file(opts.logFile);
  const proc = Bun.spawn(cmd, { env: opts.env, stdin: "ignore", stdout: log, stderr: log });
  const onExit = () => proc.kill("SIGKILL");
  process.once("exit", onExit);
  void proc.exited.then(() => process.off("exit", onExit));

  return {
    pid: proc.pid,
    logFile: opts.logFile,
    async stop() {
      if (!running(proc)) return;
      proc.kill("SIGTERM");
      const escalate = setTimeout(() => proc.kill("SIGKILL"), STOP_GRACE_MS);
      await proc.exited;
      clearTimeout(escalate);
    },
    async waitReady(ready, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (running(proc) && performance.now() < deadline) {
        if (await ready().catch(() => false)) return;
        await Promise.race([proc.exited, Bun.sleep(100)]);
      }
      const why = running(proc) ? `not ready within ${timeoutMs / 1000} s` : `exited (${proc.signalCode ?? `code ${proc.exitCode}`})`;
      throw new Error(`${name} ${why}: ${cmd.join(" ")}\n--- ${opts.logFile} (tail) ---\n${await fileTail(opts.logFile)}`);
    },
  };
}

/** True once GET `url` answers 2xx. */
export async function answersOk(url: string): Promise<boolean> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.ok;
}

function running(proc: Subprocess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}
