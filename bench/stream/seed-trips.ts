import { insertRows } from "../../shared/db/insert-rows.ts";
import { writeTransaction } from "../../shared/db/write-transaction.ts";
import { openHistory } from "../../shared/infra/open-history.ts";
import type { BenchTrip } from "./plan.ts";

/**
 * `n` bookings on their way to the pickup (accepted, one driver each), written to the
 * history file before the workers start: the workers then own it (one writer per file)
 * and the location worker finds these trips as it would any accepted booking. Drivers
 * start on a 10 km square around central Bengaluru.
 */
export async function seedTrips(dataDir: string, historyUrl: string, n: number, runId: string): Promise<BenchTrip[]> {
  const db = await openHistory({ DATA_DIR: dataDir, LIBSQL_URL: historyUrl });
  const at = new Date().toISOString();
  const trips: BenchTrip[] = Array.from({ length: n }, (_, i) => ({
    bookingId: crypto.randomUUID(),
    customerId: `bc-${runId}-${i}`,
    driverId: `bd-${runId}-${i}`,
    lat: 12.93 + ((i * 7919) % 1000) / 10_000,
    lng: 77.55 + ((i * 104_729) % 1000) / 10_000,
  }));
  await writeTransaction(db, async (tx) => {
    await insertRows(tx, {
      table: "bookings",
      columns: [
        "booking_id",
        "customer_id",
        "vehicle_type",
        "pickup_lat",
        "pickup_lng",
        "dropoff_lat",
        "dropoff_lng",
        "fare_amount",
        "fare_currency",
        "status",
        "driver_id",
        "wave",
        "version",
        "correlation_id",
        "requested_at",
        "updated_at",
      ],
      rows: trips.map((t) => [
        t.bookingId,
        t.customerId,
        "sedan",
        t.lat + 0.02,
        t.lng,
        t.lat + 0.05,
        t.lng,
        100,
        "INR",
        "accepted",
        t.driverId,
        1,
        3,
        "bench",
        at,
        at,
      ]),
    });
  });
  db.close();
  return trips;
}
