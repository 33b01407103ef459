import { eq } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { driverCounters } from "../db/schema.ts";

/** What counts against a driver: bookings they cancelled after accepting, and arrival deadlines they missed. */
export interface DriverCounters {
  cancelsAfterAccept: number;
  noShows: number;
}

/** A driver's counters as the booking worker keeps them (zero for a driver it never counted). Reads only. */
export async function readDriverCounters(db: Db, driverId: string): Promise<DriverCounters> {
  const [row] = await db.orm
    .select({ cancelsAfterAccept: driverCounters.cancelsAfterAccept, noShows: driverCounters.noShows })
    .from(driverCounters)
    .where(eq(driverCounters.driverId, driverId));
  return row ?? { cancelsAfterAccept: 0, noShows: 0 };
}
