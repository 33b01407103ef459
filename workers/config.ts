import * as v from "valibot";
import { commonEnv, port } from "../shared/config/env-schema.ts";

export const WorkersConfigSchema = v.object({
  ...commonEnv,
  /** Serves /metrics and /healthz of the worker process; 0 picks a free port. */
  METRICS_PORT: port(9464),
  STALE_AFTER_S: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of seconds"), v.transform(Number), v.minValue(1)), "60"),
});
export type WorkersConfig = v.InferOutput<typeof WorkersConfigSchema>;
