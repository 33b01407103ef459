import * as v from "valibot";
import { GatewayConfigSchema } from "./gateway/config.ts";
import { listenHost } from "./shared/config/env-schema.ts";
import { capAboveFloor } from "./shared/config/trip-env.ts";
import { notifyEnv, secretWithUrl, workerSettingsEnv } from "./workers/config.ts";

/**
 * `bun run dev` (dev.ts), the gateway and every worker in one process: the gateway's
 * variables, listening on loopback unless HOST says otherwise, and the workers' (notify,
 * matching, trip, location, surge). The shared ones (STALE_AFTER_S, SURGE_FLOOR, …) are
 * the same pieces in both, so one default each.
 */
export const DevConfigSchema = v.pipe(
  v.object({ ...GatewayConfigSchema.entries, HOST: listenHost("127.0.0.1"), ...notifyEnv, ...workerSettingsEnv }),
  secretWithUrl(),
  capAboveFloor(),
);
export type DevConfig = v.InferOutput<typeof DevConfigSchema>;
