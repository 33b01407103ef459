import type { InValue } from "@libsql/client";
import { insertRows } from "../db/insert-rows.ts";
import type { Db } from "../db/open-libsql.ts";
import { type Tx, writeTransaction } from "../db/write-transaction.ts";
import { DEFAULT_DOWNSAMPLE, type DownsampleSettings, downsample, type StoredPoint, type TrailPoint } from "./downsample.ts";
import { storedFlags } from "./trail-flags.ts";

export interface TrailWriterSettings extends DownsampleSettings {
  /**
   * Drivers whose last stored point is kept in memory; beyond it the least recently
   * written are forgotten and re-read from the table when they next report. Default
   * 500,000 (~100 MB at worst), more than one process's share of drivers.
   */
  maxTrackedDrivers: number;
}

export const DEFAULT_TRAIL_WRITER: TrailWriterSettings = { ...DEFAULT_DOWNSAMPLE, maxTrackedDrivers: 500_000 };

export interface TrailWriter {
  /**
   * Stores the fixes that pass the downsampling rule (downsample.ts), in one write
   * transaction of multi-row INSERTs. `byDriver` holds each driver's fixes in
   * recordedAt order. Resolves with the number of rows written. Idempotent: a fix
   * already stored is dropped by the rule, and INSERT OR IGNORE on (driver_id,
   * recorded_at) covers a second writer that got there first.
   */
  append(byDriver: ReadonlyMap<string, readonly TrailPoint[]>): Promise<number>;
}

const TABLE = "driver_trail";
const COLUMNS = ["driver_id", "recorded_at", "lat", "lng", "speed", "heading", "accuracy", "flags"] as const;
/** Bound parameters per seeding query, well under SQLite's limit. */
const SEED_CHUNK = 500;

/**
 * The trail writer of one database. The last stored point of each driver lives in
 * memory, so the rule costs no query per fix; a driver not in memory (first report
 * since start, or forgotten) is looked up once in the table, so a restart continues
 * from what was stored rather than starting every trail afresh. Memory is updated only
 * after the commit: a batch that rolled back is re-sampled from the same state.
 *
 * The memory is per process: after a partition moved to another process and back, it
 * may be behind the table, which can only shift where the next point is taken.
 */
export function createTrailWriter(db: Db, settings: Partial<TrailWriterSettings> = {}): TrailWriter {
  const s = { ...DEFAULT_TRAIL_WRITER, ...settings };
  // Insertion order is recency of writes: the first keys are the ones to forget.
  const lastStored = new Map<string, StoredPoint>();

  const remember = (driverId: string, p: StoredPoint) => {
    lastStored.delete(driverId);
    lastStored.set(driverId, p);
  };

  return {
    async append(byDriver) {
      const { rows, last } = await writeTransaction(db, async (tx) => {
        const unknown = [...byDriver.keys()].filter((id) => !lastStored.has(id));
        const seeded = await latestStored(tx, unknown);
        const rows: InValue[][] = [];
        const last = new Map<string, StoredPoint>();
        for (const [driverId, fixes] of byDriver) {
          const prev = lastStored.get(driverId) ?? seeded.get(driverId) ?? null;
          const picked = downsample(fixes, prev, s);
          for (const f of picked) rows.push([driverId, f.recordedAt, f.lat, f.lng, f.speed, f.heading, f.accuracy, storedFlags(f.flags)]);
          const newest = picked.at(-1) ?? prev;
          if (newest) last.set(driverId, { recordedAt: newest.recordedAt, lat: newest.lat, lng: newest.lng });
        }
        if (rows.length > 0) await insertRows(tx, { table: TABLE, columns: COLUMNS, rows, onConflict: "ignore" });
        return { rows, last };
      });
      for (const [driverId, p] of last) remember(driverId, p);
      for (const driverId of lastStored.keys()) {
        if (lastStored.size <= s.maxTrackedDrivers) break;
        lastStored.delete(driverId);
      }
      return rows.length;
    },
  };
}

/**
 * Each driver's newest stored point. Raw SQL because the plan matters: the correlated
 * max() is one seek on the primary key per driver, where GROUP BY driver_id would read
 * every stored point of those drivers.
 */
async function latestStored(tx: Tx, driverIds: readonly string[]): Promise<Map<string, StoredPoint>> {
  const out = new Map<string, StoredPoint>();
  for (let i = 0; i < driverIds.length; i += SEED_CHUNK) {
    const ids = driverIds.slice(i, i + SEED_CHUNK);
    const rs = await tx.execute(
      `WITH wanted(driver_id) AS (VALUES ${ids.map(() => "(?)").join(", ")})
       SELECT t.driver_id, t.recorded_at, t.lat, t.lng FROM wanted w JOIN ${TABLE} t
         ON t.driver_id = w.driver_id AND t.recorded_at = (SELECT max(m.recorded_at) FROM ${TABLE} m WHERE m.driver_id = w.driver_id)`,
      ids,
    );
    for (const r of rs.rows) out.set(String(r.driver_id), { recordedAt: Number(r.recorded_at), lat: Number(r.lat), lng: Number(r.lng) });
  }
  return out;
}
