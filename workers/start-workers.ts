import type { Registry } from "prom-client";
import type { EventLog } from "../shared/log/event-log.ts";
import type { Logger } from "../shared/logging/logger.ts";
import type { WorkerSpec } from "./catalogue.ts";
import type { WorkerDeps } from "./deps.ts";
import { type RunningWorker, runWorker } from "./runtime/run-worker.ts";
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "./settings.ts";

export interface StartWorkersOptions {
  log: EventLog;
  deps: WorkerDeps;
  registry: Registry;
  logger: Logger;
  /** From the process's config (workerSettings); defaults when absent, as in tests. */
  settings?: WorkerSettings;
}

/** Subscribes each worker of the catalogue with the runtime around its handler; all or none. */
export async function startWorkers(specs: readonly WorkerSpec[], opts: StartWorkersOptions): Promise<RunningWorker[]> {
  const running: RunningWorker[] = [];
  try {
    for (const spec of specs) {
      running.push(
        await runWorker({
          log: opts.log,
          group: spec.group,
          topics: spec.topics,
          handler: spec.createHandler(opts.settings ?? DEFAULT_WORKER_SETTINGS, opts.deps),
          deps: opts.deps,
          registry: opts.registry,
          logger: opts.logger.child({ worker: spec.name }),
          maxBatchSize: spec.maxBatchSize,
          retry: spec.retry,
        }),
      );
    }
  } catch (err) {
    await Promise.allSettled(running.map((w) => w.stop()));
    throw err;
  }
  return running;
}
