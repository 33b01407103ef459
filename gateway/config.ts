import * as v from "valibot";
import { commonEnv, listenHost, optionalString, port, publishTimeoutMs, readyMaxConsumerLag, url } from "../shared/config/env-schema.ts";
import { maxAccuracyM, serviceArea } from "../shared/config/plausibility-env.ts";
import { pickupCodeRequired, surgeFloor, surgeWindowS } from "../shared/config/trip-env.ts";
import { securityEnv } from "./auth/security-env.ts";

export const GatewayConfigSchema = v.object({
  ...commonEnv,
  PORT: port(3000),
  /** The address the gateway listens on. A production gateway sits behind a load balancer: every interface. */
  HOST: listenHost("0.0.0.0"),
  /** The gateway's own libSQL database (idempotency keys); unset → file:DATA_DIR/gateway.db. A server (sqld/Turso) lets every gateway share it. */
  GATEWAY_DB_URL: url("file:", "libsql://", "http://", "https://", "ws://", "wss://"),
  GATEWAY_DB_AUTH_TOKEN: optionalString,
  STALE_AFTER_S: v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)),
    "60",
  ),
  MAX_FIX_AGE_S: v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)),
    "21600",
  ),
  /** Fixes with a larger accuracy radius (m) are published flagged "accuracy". Default 200. */
  MAX_ACCURACY_M: maxAccuracyM,
  /** "minLat,minLng,maxLat,maxLng": fixes outside are published flagged "outside-area". Unset: everywhere. */
  SERVICE_AREA: serviceArea,
  /** Longest a fix or status request waits for the broker's ack before 503 + Retry-After. Default 2000. */
  PUBLISH_TIMEOUT_MS: publishTimeoutMs,
  /** /readyz fails while a worker group lags more records than this. Default 50000. */
  READY_MAX_CONSUMER_LAG: readyMaxConsumerLag,
  /** `start` must carry the customer's pickup code (the booking worker reads it too). Default false. */
  PICKUP_CODE_REQUIRED: pickupCodeRequired,
  /** The multiplier quoted in a zone the surge worker has not priced, and the demand window shown with it (the surge worker reads them too). */
  SURGE_FLOOR: surgeFloor,
  SURGE_WINDOW_S: surgeWindowS,
  /** JWT keys, CORS origins and rate limits: gateway/auth/security-env.ts. */
  ...securityEnv,
});
export type GatewayConfig = v.InferOutput<typeof GatewayConfigSchema>;

/** `bun run dev` (dev.ts): the gateway's settings, but listening on loopback unless HOST says otherwise. */
export const DevConfigSchema = v.object({ ...GatewayConfigSchema.entries, HOST: listenHost("127.0.0.1") });
