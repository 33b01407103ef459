import { startPeriodic } from "../shared/async/periodic.ts";
import type { Db } from "../shared/db/open-libsql.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import { startTrailPruning } from "../shared/history/trail-prune.ts";
import type { Logger } from "../shared/logging/logger.ts";
import { pruneProcessedEvents } from "./runtime/processed-prune.ts";

export interface MaintenanceOptions {
  db: Db;
  geo: GeoIndex;
  logger: Logger;
  /** Drivers silent longer than this are swept out of the search shards (search filters them anyway). */
  staleAfterMs: number;
  /** Whether this process runs the location worker, whose chores (trail pruning, stale sweep) are its alone. Default true. */
  location?: boolean;
  sweepIntervalMs?: number;
  trailRetentionMs?: number;
  /** How often processed-event ids past their topic's retention are pruned. Default 10 minutes. */
  processedPruneIntervalMs?: number;
}

/**
 * Periodic chores of a worker process. Every process prunes processed-event ids past
 * their topic's retention (runtime/processed-prune.ts; idempotent, so two processes
 * sharing a database may both do it). The process that runs the location worker (the
 * trail's only writer) also prunes the trail by age and sweeps stale drivers out of the
 * geo index, so the shards a nearby search scans hold only drivers who could be returned.
 */
export function startMaintenance(opts: MaintenanceOptions): { stop(): Promise<void> } {
  const location = opts.location ?? true;
  const chores = [
    startPeriodic("processed-event pruning", {
      intervalMs: opts.processedPruneIntervalMs ?? 10 * 60_000,
      logger: opts.logger,
      run: async () => {
        const deleted = await pruneProcessedEvents(opts.db, Date.now());
        if (deleted > 0) opts.logger.info("processed-event ids pruned", { deleted });
      },
    }),
  ];
  if (location) {
    chores.push(startTrailPruning({ db: opts.db, logger: opts.logger, retentionMs: opts.trailRetentionMs }));
    // The first sweep waits an interval: at start-up the index is still being filled.
    let first = true;
    chores.push(
      startPeriodic("stale sweep", {
        intervalMs: opts.sweepIntervalMs ?? 15_000,
        logger: opts.logger,
        run: async () => {
          if (first) return void (first = false);
          const n = await opts.geo.dropStale(Date.now() - opts.staleAfterMs);
          if (n > 0) opts.logger.info("stale drivers swept from the geo index", { drivers: n });
        },
      }),
    );
  }
  return {
    async stop() {
      await Promise.all(chores.map((c) => c.stop()));
    },
  };
}
