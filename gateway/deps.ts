import type { Registry } from "prom-client";
import type { Publisher } from "../shared/log/event-log.ts";
import type { Logger } from "../shared/logging/logger.ts";

/** A dependency the gateway needs to serve: rejects (with a reason) when it is not ready. */
export type ReadinessCheck = () => Promise<void>;

/** Everything the HTTP app needs; built by an entry point (gateway/main.ts, dev.ts, tests). */
export interface GatewayDeps {
  publisher: Publisher;
  registry: Registry;
  logger: Logger;
  readiness: Record<string, ReadinessCheck>;
  limits: GatewayLimits;
}

export interface GatewayLimits {
  /** Fixes older than this are refused: phones buffer offline, but not for ever. */
  maxFixAgeMs: number;
}
