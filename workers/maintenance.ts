import type { Db } from "../shared/db/open-libsql.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import { startTrailPruning } from "../shared/history/trail-prune.ts";
import type { Logger } from "../shared/logging/logger.ts";

export interface MaintenanceOptions {
  db: Db;
  geo: GeoIndex;
  logger: Logger;
  /** Drivers silent longer than this are swept out of the search shards (search filters them anyway). */
  staleAfterMs: number;
  sweepIntervalMs?: number;
  trailRetentionMs?: number;
}

/**
 * Periodic chores of the process that runs the location worker (the trail's only
 * writer): prune the trail by age and sweep stale drivers out of the geo index, so
 * the shards a nearby search scans hold only drivers who could be returned.
 */
export function startMaintenance(opts: MaintenanceOptions): { stop(): Promise<void> } {
  const pruning = startTrailPruning({ db: opts.db, logger: opts.logger, retentionMs: opts.trailRetentionMs });
  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    sweeping = opts.geo.dropStale(Date.now() - opts.staleAfterMs).then(
      (n) => n > 0 && opts.logger.info("stale drivers swept from the geo index", { drivers: n }),
      (err) => opts.logger.warn("stale sweep failed; retrying next interval", { err }),
    );
  }, opts.sweepIntervalMs ?? 15_000);
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
      await pruning.stop();
    },
  };
}
