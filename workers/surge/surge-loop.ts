import { type Periodic, startPeriodic } from "../../shared/async/periodic.ts";
import type { Logger } from "../../shared/logging/logger.ts";
import { DEFAULT_GEO_TIMEOUT_MS } from "../location/geo-call.ts";
import { type RecomputeDeps, type RecomputeSettings, recomputeSurge } from "./recompute.ts";

export interface SurgeLoopOptions {
  deps: RecomputeDeps;
  settings: Omit<RecomputeSettings, "geoTimeoutMs"> & Partial<Pick<RecomputeSettings, "geoTimeoutMs">>;
  logger: Logger;
  /** How often every active zone is recomputed. Default 5 s. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * The surge worker's clock, run by the process that runs the surge worker: recomputes
 * every active zone (shared/surge/surge-store.ts) so that a multiplier falls back as its
 * demand leaves the window, and follows supply, when no booking arrives to trigger it.
 * A failed tick (Redis away) is logged and tried again on the next.
 */
export function startSurgeLoop(opts: SurgeLoopOptions): Periodic {
  const now = opts.now ?? Date.now;
  const settings = { ...opts.settings, geoTimeoutMs: opts.settings.geoTimeoutMs ?? DEFAULT_GEO_TIMEOUT_MS };
  return startPeriodic("surge recompute", {
    intervalMs: opts.intervalMs ?? 5_000,
    logger: opts.logger.child({ loop: "surge" }),
    run: async () => recomputeSurge(await opts.deps.surge.activeZones(), opts.deps, settings, now()),
  });
}
