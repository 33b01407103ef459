import { NonRetriableError } from "../../shared/errors/errors.ts";
import { DRIVER_STATUS_CHANGED } from "../../shared/events/driver.ts";
import type { StatusUpdate } from "../../shared/geo/geo-index.ts";
import type { WorkerDeps } from "../deps.ts";
import { eventData } from "../location/event-data.ts";
import { geoCall } from "../location/geo-call.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/**
 * The status worker: `driver.status.changed` → the GeoIndex, which decides who shows up
 * in nearby searches (available drivers of a vehicle type). Per batch, only each
 * driver's latest change (by changedAt; on a tie the later in the log) is sent, in ONE
 * setStatus call. The index ignores a change older than the one it holds, so a
 * redelivery or a replay of the compacted topic cannot undo a newer status. A geo
 * failure is RetryableError (geo-call.ts).
 */
export async function statusHandler(events: ConsumedEvent[], deps: Pick<WorkerDeps, "geo">): Promise<void> {
  const latest = new Map<string, StatusUpdate>();
  for (const e of events) {
    const d = eventData(e, DRIVER_STATUS_CHANGED);
    const changedAt = Date.parse(d.changedAt);
    if (Number.isNaN(changedAt))
      throw new NonRetriableError(`${e.record.topic}/${e.record.partition}@${e.record.offset}: unreadable changedAt "${d.changedAt}"`);
    const prev = latest.get(d.driverId);
    if (!prev || changedAt >= prev.changedAt)
      latest.set(d.driverId, { driverId: d.driverId, status: d.status, vehicleType: d.vehicleType, changedAt });
  }
  await geoCall("setStatus", () => deps.geo.setStatus([...latest.values()]));
}
