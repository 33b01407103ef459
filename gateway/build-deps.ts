import type { Registry } from "prom-client";
import { TOPICS } from "../shared/events/topics.ts";
import type { EventLog } from "../shared/log/event-log.ts";
import type { Logger } from "../shared/logging/logger.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayDeps } from "./deps.ts";

/** Wires the gateway's dependencies from an opened event log; shared by gateway/main.ts and dev.ts. */
export function buildGatewayDeps(config: GatewayConfig, log: EventLog, logger: Logger, registry: Registry): GatewayDeps {
  return {
    publisher: log.publisher(),
    registry,
    logger,
    readiness: { eventLog: async () => void (await log.admin().lag("gateway-readiness", [TOPICS.driverLocations])) },
    limits: { maxFixAgeMs: config.MAX_FIX_AGE_S * 1000 },
  };
}
