import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { DRIVER_LOCATION_REPORTED, DriverIdSchema, FixSchema, MAX_FIXES_PER_REQUEST, type Fix } from "../../shared/events/driver.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { MAX_INDEXABLE_LAT } from "../../shared/geo/shard-layout.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import type { GatewayDeps } from "../deps.ts";
import { publishEvent } from "../events/publish-event.ts";
import { readJson, readParam } from "../http/read-json.ts";

/** 500 fixes with every optional field is ~90 KB; anything far larger is not a phone flushing its buffer. */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_FUTURE_MS = 30_000;

const BodySchema = v.strictObject({
  fixes: v.pipe(v.array(FixSchema), v.minLength(1, "must hold at least one fix"), v.maxLength(MAX_FIXES_PER_REQUEST, `must hold at most ${MAX_FIXES_PER_REQUEST} fixes`)),
});

/**
 * Checks the schema cannot express: device clocks drift and phones buffer offline, but a
 * fix from the future or from long ago is a bug or a replay; and the geo index (Redis GEO)
 * cannot hold the polar caps beyond ±85.05°, so such a fix would be accepted yet never applied.
 */
function checkFixes(fixes: Fix[], now: number, maxAgeMs: number): void {
  const issues = fixes.flatMap((f, i) => {
    if (Math.abs(f.lat) > MAX_INDEXABLE_LAT) return [{ field: `fixes.${i}.lat`, message: `must be within ±${MAX_INDEXABLE_LAT} (the range the geo index can hold)` }];
    const t = Date.parse(f.recordedAt);
    if (t > now + MAX_FUTURE_MS) return [{ field: `fixes.${i}.recordedAt`, message: "is more than 30 s in the future" }];
    if (t < now - maxAgeMs) return [{ field: `fixes.${i}.recordedAt`, message: `is older than ${Math.round(maxAgeMs / 1000)} s` }];
    return [];
  });
  if (issues.length) throw new ValidationError(`body is invalid: ${issues.map((i) => `${i.field} ${i.message}`).join("; ")}`, issues);
}

export function registerDriverLocations(app: Hono, deps: Pick<GatewayDeps, "publisher" | "limits">): void {
  app.post(
    "/v1/drivers/:driverId/locations",
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ValidationError("body is too large", [{ field: "(body)", message: `must be at most ${MAX_BODY_BYTES} bytes` }], 413); } }),
    async (c) => {
      const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
      const { fixes } = await readJson(c, BodySchema);
      checkFixes(fixes, Date.now(), deps.limits.maxFixAgeMs);
      await publishEvent(c, deps.publisher, TOPICS.driverLocations, { type: DRIVER_LOCATION_REPORTED, key: driverId, data: { driverId, fixes } });
      return c.json({ accepted: fixes.length }, 202);
    },
  );
}
