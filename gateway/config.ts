import * as v from "valibot";
import { commonEnv, port } from "../shared/config/env-schema.ts";

export const GatewayConfigSchema = v.object({
  ...commonEnv,
  PORT: port(3000),
  STALE_AFTER_S: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)), "60"),
  MAX_FIX_AGE_S: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)), "21600"),
});
export type GatewayConfig = v.InferOutput<typeof GatewayConfigSchema>;
