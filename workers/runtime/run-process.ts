import type { Logger } from "../../shared/logging/logger.ts";
import type { RunningWorker } from "./run-worker.ts";

type Signal = "SIGTERM" | "SIGINT";

export interface ProcessOptions {
  logger: Logger;
  /** Registers a listener for a termination signal. Default: process.on. */
  onSignal?: (signal: Signal, listener: () => void) => void;
  /** Ends the process. Default: process.exit. */
  exit?: (code: number) => void;
  /** Runs after every worker stopped, before exit: close the log, databases. */
  cleanup?: () => Promise<void>;
  /** Longest a graceful stop may take before the process exits 1 anyway. Default 30 s. */
  shutdownTimeoutMs?: number;
}

/**
 * The end of a worker process's life (docs/architecture.md, delivery guarantees). On SIGTERM/SIGINT every worker stops
 * (stop fetching, finish the batch, commit, leave the group), cleanup runs, exit 0.
 * If a subscription dies on its own (the consumer crashed without restarting) the
 * process logs it, stops the rest and exits 1, so the supervisor starts a fresh one.
 * Resolves with the exit code once exit was called (tests pass their own exit).
 */
export function runProcess(workers: RunningWorker[], opts: ProcessOptions): Promise<number> {
  const onSignal = opts.onSignal ?? ((signal, listener) => void process.on(signal, listener));
  const exit = opts.exit ?? ((code) => process.exit(code));
  const { logger } = opts;
  let shuttingDown: Promise<number> | undefined;
  let exited!: (code: number) => void;
  const result = new Promise<number>((resolve) => (exited = resolve));

  let ended = false;
  const end = (code: number) => {
    if (ended) return;
    ended = true;
    exit(code);
    exited(code);
  };

  const shutdown = (code: number, reason: string) => {
    if (shuttingDown) return shuttingDown;
    logger.info("shutting down", { reason, workers: workers.map((w) => w.group) });
    const timer = setTimeout(() => {
      logger.error("graceful shutdown timed out; exiting", { timeoutMs: opts.shutdownTimeoutMs ?? 30_000 });
      end(1);
    }, opts.shutdownTimeoutMs ?? 30_000);
    shuttingDown = (async () => {
      let exitCode = code;
      for (const r of await Promise.allSettled(workers.map((w) => w.stop()))) {
        if (r.status === "rejected") {
          logger.error("worker did not stop cleanly", { err: r.reason });
          exitCode = 1;
        }
      }
      try {
        await opts.cleanup?.();
      } catch (err) {
        logger.error("cleanup failed", { err });
        exitCode = 1;
      }
      clearTimeout(timer);
      return exitCode;
    })();
    void shuttingDown.then(end);
    return shuttingDown;
  };

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    onSignal(signal, () => {
      if (shuttingDown) {
        logger.warn("second signal during shutdown; exiting now", { signal });
        end(1);
        return;
      }
      void shutdown(0, signal);
    });
  }
  for (const w of workers) {
    w.done.then(
      () => {
        if (!shuttingDown) {
          logger.error("subscription ended without being stopped", { group: w.group });
          void shutdown(1, `subscription of ${w.group} ended`);
        }
      },
      (err: unknown) => {
        logger.error("subscription crashed; exiting for a restart", { group: w.group, err });
        void shutdown(1, `subscription of ${w.group} crashed`);
      },
    );
  }
  return result;
}
