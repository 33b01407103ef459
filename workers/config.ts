import * as v from "valibot";
import { commonEnv, port } from "../shared/config/env-schema.ts";

export const WorkersConfigSchema = v.object({
  ...commonEnv,
  /** Serves /metrics and /healthz of the worker process; 0 picks a free port. */
  METRICS_PORT: port(9464),
});
export type WorkersConfig = v.InferOutput<typeof WorkersConfigSchema>;
