import type { Hono } from "hono";
import * as v from "valibot";
import type { GatewayDeps } from "../deps.ts";
import { describeRoute } from "../openapi/route-doc.ts";

export const metricsDoc = describeRoute({
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  tag: "Operations",
  summary: "Prometheus metrics of this gateway process",
  access: ["operator"],
  responses: { 200: { description: "Prometheus text exposition format", contentType: "text/plain", schema: v.string() } },
});

/** Prometheus text, for operators (createApp puts /metrics behind authenticate + allow("operator")). */
export function registerMetrics(app: Hono, deps: Pick<GatewayDeps, "registry">): void {
  app.get(metricsDoc.path, async (c) => c.text(await deps.registry.metrics(), 200, { "content-type": deps.registry.contentType }));
}
