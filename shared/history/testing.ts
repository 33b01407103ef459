import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateDb } from "../db/migrate.ts";
import { type Db, openLibsql } from "../db/open-libsql.ts";
import { M_PER_DEG_LAT } from "../geo/haversine.ts";
import type { TrailPoint } from "./downsample.ts";

/* Helpers for tests of the trail and the workers that write it. Not a test file. */

/** A migrated history database in a fresh temp directory; `remove` closes and deletes it. */
export async function openTempHistory(prefix = "fleet-history-"): Promise<{ db: Db; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = await openLibsql({ url: `file:${join(dir, "history.db")}` });
  await migrateDb(db);
  return {
    db,
    remove() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { M_PER_DEG_LAT };

/** A fix `north` metres north of (lat, lng), `atS` seconds after t0. */
export function pointAt(driverId: string, t0: number, atS: number, lat: number, lng: number, north = 0): TrailPoint {
  return {
    driverId,
    recordedAt: t0 + atS * 1000,
    lat: lat + north / M_PER_DEG_LAT,
    lng,
    speed: null,
    heading: null,
    accuracy: null,
    flags: [],
  };
}
