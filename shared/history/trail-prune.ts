import { inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import type { Logger } from "../logging/logger.ts";

/** How long trail points are kept by default: a week covers disputes about recent trips. */
export const DEFAULT_TRAIL_RETENTION_MS = 7 * 24 * 3_600_000;
/** How often pruning runs by default; each run removes what aged out since the last. */
export const DEFAULT_TRAIL_PRUNE_INTERVAL_MS = 10 * 60_000;
/** Rows per DELETE. */
const PRUNE_CHUNK = 10_000;

/**
 * Deletes trail points recorded before `before` (ms since epoch); resolves with how
 * many. Works in chunks of separate statements, so the location worker's inserts on
 * the same database wait for one chunk at a time, never for a whole day's delete.
 */
export async function pruneTrail(db: Db, before: number, chunk = PRUNE_CHUNK): Promise<number> {
  let deleted = 0;
  for (;;) {
    const aged = db.orm.select({ id: sql`rowid` }).from(driverTrail).where(lt(driverTrail.recordedAt, before)).limit(chunk);
    const rs = await db.orm.delete(driverTrail).where(inArray(sql`rowid`, aged));
    deleted += rs.rowsAffected;
    if (rs.rowsAffected < chunk) return deleted;
  }
}

export interface TrailPruningOptions {
  db: Db;
  logger: Logger;
  retentionMs?: number;
  intervalMs?: number;
  now?: () => number;
}

export interface TrailPruning {
  /** Cancels the next run and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Prunes the trail now and then every `intervalMs`, one run at a time, for the process
 * that writes the trail (one writer per database file: DESIGN §8). A failed run is
 * logged and the next one tries again: rows that aged out wait an interval longer, and
 * nothing else depends on them being gone.
 */
export function startTrailPruning(opts: TrailPruningOptions): TrailPruning {
  const retentionMs = opts.retentionMs ?? DEFAULT_TRAIL_RETENTION_MS;
  const intervalMs = opts.intervalMs ?? DEFAULT_TRAIL_PRUNE_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = async () => {
    const before = now() - retentionMs;
    try {
      const deleted = await pruneTrail(opts.db, before);
      if (deleted > 0) opts.logger.info("trail pruned", { deleted, before: new Date(before).toISOString() });
    } catch (err) {
      opts.logger.warn("trail pruning failed; retrying next interval", { err });
    }
  };
  const tick = () => {
    running = run().then(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
