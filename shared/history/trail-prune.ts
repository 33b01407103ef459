import { lt } from "drizzle-orm";
import { type Periodic, startPeriodic } from "../async/periodic.ts";
import { deleteInChunks } from "../db/delete-in-chunks.ts";
import type { Db } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import type { Logger } from "../logging/logger.ts";

/** How long trail points are kept by default: a week covers disputes about recent trips. */
export const DEFAULT_TRAIL_RETENTION_MS = 7 * 24 * 3_600_000;
/** How often pruning runs by default; each run removes what aged out since the last. */
export const DEFAULT_TRAIL_PRUNE_INTERVAL_MS = 10 * 60_000;
/**
 * Deletes trail points recorded before `before` (ms since epoch), in chunks; resolves
 * with how many.
 */
export function pruneTrail(db: Db, before: number, chunk?: number): Promise<number> {
  return deleteInChunks(db, driverTrail, lt(driverTrail.recordedAt, before), chunk);
}

export interface TrailPruningOptions {
  db: Db;
  logger: Logger;
  retentionMs?: number;
  intervalMs?: number;
  now?: () => number;
}

/**
 * Prunes the trail now and then every `intervalMs`, for the process that writes the
 * trail (one writer per database file: docs/architecture.md, storage rules). Rows that aged out while a run
 * failed wait an interval longer; nothing else depends on them being gone.
 */
export function startTrailPruning(opts: TrailPruningOptions): Periodic {
  const retentionMs = opts.retentionMs ?? DEFAULT_TRAIL_RETENTION_MS;
  const now = opts.now ?? Date.now;
  return startPeriodic("trail pruning", {
    intervalMs: opts.intervalMs ?? DEFAULT_TRAIL_PRUNE_INTERVAL_MS,
    logger: opts.logger,
    run: async () => {
      const before = now() - retentionMs;
      const deleted = await pruneTrail(opts.db, before);
      if (deleted > 0) opts.logger.info("trail pruned", { deleted, before: new Date(before).toISOString() });
    },
  });
}
