import type { Hono } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../shared/errors/errors.ts";
import {
  DRIVER_LOCATION_REPORTED,
  DriverIdSchema,
  type Fix,
  FixSchema,
  MAX_FIXES_PER_REQUEST,
  type ReportedFix,
} from "../../shared/events/driver.ts";
import { parseTimestamp } from "../../shared/events/timestamp.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { DEFAULT_FIX_CHECKS, type FixCheckSettings, fixFlags } from "../../shared/geo/plausibility.ts";
import { allow, requireSelf } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { publishEvent } from "../events/publish-event.ts";
import { limitBody } from "../http/body-limit.ts";
import { readJson, readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { PUBLISH_UNAVAILABLE } from "../openapi/shared-docs.ts";

/** 500 fixes with every optional field is ~90 KB; anything far larger is not a phone flushing its buffer. */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_FUTURE_MS = 30_000;

const BodySchema = v.strictObject({
  fixes: v.pipe(
    v.array(FixSchema),
    v.minLength(1, "must hold at least one fix"),
    v.maxLength(MAX_FIXES_PER_REQUEST, `must hold at most ${MAX_FIXES_PER_REQUEST} fixes`),
  ),
});

/**
 * Checks the schema cannot express: device clocks drift and phones buffer offline, but a
 * fix from the future or from long ago is a bug or a replay. (The latitude the geo index
 * can hold is FixSchema's own rule, so the location worker checks it too.)
 */
function checkFixes(fixes: Fix[], now: number, maxAgeMs: number): void {
  const issues = fixes.flatMap((f, i) => {
    const t = parseTimestamp(f.recordedAt);
    if (t > now + MAX_FUTURE_MS) return [{ field: `fixes.${i}.recordedAt`, message: "is more than 30 s in the future" }];
    if (t < now - maxAgeMs) return [{ field: `fixes.${i}.recordedAt`, message: `is older than ${Math.round(maxAgeMs / 1000)} s` }];
    return [];
  });
  if (issues.length) throw new ValidationError(`body is invalid: ${issues.map((i) => `${i.field} ${i.message}`).join("; ")}`, issues);
}

/**
 * The fix as published, flagged with what it alone shows implausible (poor accuracy,
 * outside the service area). Flagged, not refused: the phone gets the same 202, the
 * trail keeps the fix, and the location worker keeps the driver out of matching.
 */
function withFlags(f: Fix, s: FixCheckSettings): ReportedFix {
  const flags = fixFlags(f, s);
  return flags.length > 0 ? { ...f, flags } : f;
}

const AcceptedSchema = v.strictObject({ accepted: v.pipe(v.number(), v.integer(), v.minValue(1)) });

export const driverLocationsDoc = describeRoute({
  method: "post",
  path: "/v1/drivers/:driverId/locations",
  operationId: "reportLocations",
  tag: "Drivers",
  summary: "Report a batch of the driver's GPS fixes",
  description:
    "1–500 fixes, oldest first. `recordedAt` is device time: at most 30 s in the future and at most MAX_FIX_AGE_S old. Answered once the broker acked the event. A fix the gateway finds implausible on its own (poor accuracy, outside the service area) is still accepted, flagged, and keeps the driver out of matching until a plausible one arrives.",
  access: ["driver"],
  params: { driverId: DriverIdSchema },
  body: BodySchema,
  responses: { 202: { description: "Published: `accepted` fixes", schema: AcceptedSchema } },
  problems: { 403: "driverId is not the caller", 503: PUBLISH_UNAVAILABLE },
});

export function registerDriverLocations(app: Hono, deps: Pick<GatewayDeps, "publisher" | "limits">): void {
  app.post(driverLocationsDoc.path, allow("driver"), limitBody(MAX_BODY_BYTES), async (c) => {
    const driverId = readParam(c.req.param("driverId"), DriverIdSchema, "driverId");
    requireSelf(c, driverId, "driverId");
    const { fixes } = await readJson(c, BodySchema);
    checkFixes(fixes, Date.now(), deps.limits.maxFixAgeMs);
    const checks = deps.limits.fixChecks ?? DEFAULT_FIX_CHECKS;
    await publishEvent(
      c,
      deps.publisher,
      TOPICS.driverLocations,
      { type: DRIVER_LOCATION_REPORTED, key: driverId, data: { driverId, fixes: fixes.map((f) => withFlags(f, checks)) } },
      deps.limits.publishTimeoutMs,
    );
    return c.json({ accepted: fixes.length } satisfies v.InferOutput<typeof AcceptedSchema>, 202);
  });
}
