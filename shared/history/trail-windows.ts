import { and, asc, between, eq, or } from "drizzle-orm";
import type { Orm } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import type { FixFlag } from "../events/driver.ts";
import { readFlags } from "./trail-flags.ts";

/** A stretch of one driver's trail: recordedAt within [from, to], ms since epoch. */
export interface TrailWindow {
  driverId: string;
  from: number;
  to: number;
}

export interface WindowPoint {
  lat: number;
  lng: number;
  recordedAt: number;
  flags: FixFlag[];
}

const CHUNK = 100;

export const windowKey = (w: TrailWindow) => `${w.driverId}|${w.from}|${w.to}`;

/**
 * The stored points of several windows, oldest first, keyed by windowKey: one query per
 * 100 windows (each an indexed range on the trail's key), so a batch of completions
 * reads its trails in one round trip. Unlike queryTrail it does not page: a trip's
 * downsampled trail is a few thousand points at most.
 */
export async function trailWindows(orm: Orm, windows: readonly TrailWindow[]): Promise<Map<string, WindowPoint[]>> {
  const out = new Map<string, WindowPoint[]>(windows.map((w) => [windowKey(w), []]));
  const t = driverTrail;
  for (let i = 0; i < windows.length; i += CHUNK) {
    const part = windows.slice(i, i + CHUNK);
    const rows = await orm
      .select({ driverId: t.driverId, recordedAt: t.recordedAt, lat: t.lat, lng: t.lng, flags: t.flags })
      .from(t)
      .where(or(...part.map((w) => and(eq(t.driverId, w.driverId), between(t.recordedAt, w.from, w.to)))))
      .orderBy(asc(t.driverId), asc(t.recordedAt));
    for (const w of part) {
      out.set(
        windowKey(w),
        rows
          .filter((r) => r.driverId === w.driverId && r.recordedAt >= w.from && r.recordedAt <= w.to)
          .map((r) => ({ lat: r.lat, lng: r.lng, recordedAt: r.recordedAt, flags: readFlags(r.flags) })),
      );
    }
  }
  return out;
}
