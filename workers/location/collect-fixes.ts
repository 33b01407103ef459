import { NonRetriableError } from "../../shared/errors/errors.ts";
import { DRIVER_LOCATION_REPORTED } from "../../shared/events/driver.ts";
import type { TrailPoint } from "../../shared/history/downsample.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";
import { eventData } from "./event-data.ts";

/**
 * The fixes of a batch of `driver.location.reported` events, per driver, each driver's
 * in recordedAt order (the last is its newest). The sort is stable, so fixes with the
 * same device time stay in log order and the later one counts as newer.
 */
export function collectFixes(events: readonly ConsumedEvent[]): Map<string, TrailPoint[]> {
  const byDriver = new Map<string, TrailPoint[]>();
  for (const e of events) {
    const { driverId, fixes } = eventData(e, DRIVER_LOCATION_REPORTED);
    let mine = byDriver.get(driverId);
    if (!mine) byDriver.set(driverId, (mine = []));
    for (const f of fixes) {
      const recordedAt = Date.parse(f.recordedAt);
      // TimestampSchema admits only times Date.parse reads; kept because a fix without a time could not be ordered.
      if (Number.isNaN(recordedAt))
        throw new NonRetriableError(`${e.record.topic}/${e.record.partition}@${e.record.offset}: unreadable recordedAt "${f.recordedAt}"`);
      mine.push({
        driverId,
        recordedAt,
        lat: f.lat,
        lng: f.lng,
        speed: f.speed ?? null,
        heading: f.heading ?? null,
        accuracy: f.accuracy ?? null,
        flags: f.flags ?? [],
      });
    }
  }
  for (const mine of byDriver.values()) mine.sort((a, b) => a.recordedAt - b.recordedAt);
  return byDriver;
}
