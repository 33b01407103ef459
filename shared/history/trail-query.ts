import { and, asc, eq, gt, gte, lte } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import { ValidationError } from "../errors/errors.ts";
import type { TrailPoint } from "./downsample.ts";
import { readFlags } from "./trail-flags.ts";

export interface TrailQuery {
  driverId: string;
  /** Inclusive bounds on recordedAt, ms since epoch; open-ended when left out. */
  from?: number;
  to?: number;
  /** Points per page, 1..MAX_TRAIL_PAGE; default DEFAULT_TRAIL_PAGE. */
  limit?: number;
  /** The previous page's nextCursor; absent for the first page. */
  cursor?: string | null;
}

/** A stored point as a page returns it: the driver is the query's. */
export type TrailEntry = Omit<TrailPoint, "driverId">;

export interface TrailPage {
  points: TrailEntry[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

export const DEFAULT_TRAIL_PAGE = 500;
export const MAX_TRAIL_PAGE = 5_000;

/**
 * One page of a driver's stored trail, oldest first. Keyset pagination on recordedAt
 * (unique per driver): the cursor carries the last point returned, so pages neither
 * repeat nor skip points while the trail grows or is pruned underneath. The cursor is
 * opaque to callers and bound to its driver; a foreign or damaged one is a
 * ValidationError on `cursor`.
 */
export async function queryTrail(db: Db, q: TrailQuery): Promise<TrailPage> {
  const limit = q.limit ?? DEFAULT_TRAIL_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRAIL_PAGE) {
    throw new ValidationError("limit is out of range", [{ field: "limit", message: `must be an integer from 1 to ${MAX_TRAIL_PAGE}` }]);
  }
  const after = q.cursor ? decodeCursor(q.cursor, q.driverId) : undefined;
  const t = driverTrail;
  const rows = await db.orm
    .select({ recordedAt: t.recordedAt, lat: t.lat, lng: t.lng, speed: t.speed, heading: t.heading, accuracy: t.accuracy, flags: t.flags })
    .from(t)
    .where(
      and(
        eq(t.driverId, q.driverId),
        q.from === undefined ? undefined : gte(t.recordedAt, q.from),
        q.to === undefined ? undefined : lte(t.recordedAt, q.to),
        after === undefined ? undefined : gt(t.recordedAt, after),
      ),
    )
    .orderBy(asc(t.recordedAt))
    .limit(limit + 1);
  const points = rows.slice(0, limit).map((r) => ({ ...r, flags: readFlags(r.flags) }));
  const more = rows.length > limit;
  return { points, nextCursor: more ? encodeCursor(q.driverId, points.at(-1)!.recordedAt) : null };
}

interface CursorBody {
  d: string;
  t: number;
}

function encodeCursor(driverId: string, after: number): string {
  return Buffer.from(JSON.stringify({ d: driverId, t: after } satisfies CursorBody)).toString("base64url");
}

function decodeCursor(cursor: string, driverId: string): number {
  let body: Partial<CursorBody> | null = null;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    // Falls through to the one error below: a client only needs to know the cursor is not ours.
  }
  if (!body || body.d !== driverId || !Number.isSafeInteger(body.t)) {
    throw new ValidationError("cursor is invalid", [{ field: "cursor", message: "is not a cursor returned for this driver's trail" }]);
  }
  return body.t as number;
}
