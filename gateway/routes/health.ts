import type { Hono } from "hono";
import type { GatewayDeps } from "../deps.ts";

const READINESS_TIMEOUT_MS = 2000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return Promise.race([p, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

/**
 * /healthz: the process serves. /readyz: every dependency answers, so a load balancer may
 * route here. Anonymous callers (load balancers) and non-operators get only
 * `{status}`; the checks — which dependency fails and its error, with group names and
 * lag — go to operators only (a token is verified when sent: gateway/app.ts).
 */
export function registerHealth(app: Hono, deps: Pick<GatewayDeps, "readiness">): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const entries = Object.entries(deps.readiness);
    const results = await Promise.allSettled(entries.map(([, check]) => withTimeout(check(), READINESS_TIMEOUT_MS)));
    const checks = Object.fromEntries(
      entries.map(([name], i) => {
        const r = results[i]!;
        return [name, r.status === "fulfilled" ? "ok" : `failing: ${(r.reason as Error).message}`];
      }),
    );
    const ready = results.every((r) => r.status === "fulfilled");
    const status = ready ? "ready" : "not ready";
    const operator = c.get("principal")?.role === "operator";
    return c.json(operator ? { status, checks } : { status }, ready ? 200 : 503);
  });
}
