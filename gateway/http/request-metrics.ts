import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Histogram, type Registry } from "prom-client";

/** Latency per matched route (the pattern, not the raw path, so driver ids don't explode cardinality). */
export function requestMetrics(registry: Registry): MiddlewareHandler {
  const histogram = new Histogram({
    name: "fleet_http_request_duration_seconds",
    help: "HTTP request latency by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return async (c, next) => {
    const start = performance.now();
    await next();
    histogram.observe({ method: c.req.method, route: routePath(c), status: String(c.res.status) }, (performance.now() - start) / 1000);
  };
}
