import type { Hono } from "hono";
import type { GatewayDeps } from "../deps.ts";

/** Prometheus text, for operators (createApp puts /metrics behind authenticate + allow("operator")). */
export function registerMetrics(app: Hono, deps: Pick<GatewayDeps, "registry">): void {
  app.get("/metrics", async (c) => c.text(await deps.registry.metrics(), 200, { "content-type": deps.registry.contentType }));
}
