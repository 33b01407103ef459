import * as v from "valibot";
import { commonEnv, optionalString, port, url } from "../shared/config/env-schema.ts";

export const GatewayConfigSchema = v.object({
  ...commonEnv,
  PORT: port(3000),
  /** The gateway's own libSQL database (idempotency keys); unset → file:DATA_DIR/gateway.db. A server (sqld/Turso) lets every gateway share it. */
  GATEWAY_DB_URL: url("file:", "libsql://", "http://", "https://", "ws://", "wss://"),
  GATEWAY_DB_AUTH_TOKEN: optionalString,
  STALE_AFTER_S: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)), "60"),
  MAX_FIX_AGE_S: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)), "21600"),
});
export type GatewayConfig = v.InferOutput<typeof GatewayConfigSchema>;
