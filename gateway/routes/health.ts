import type { Hono } from "hono";
import * as v from "valibot";
import type { GatewayDeps } from "../deps.ts";
import { describeRoute } from "../openapi/route-doc.ts";

const READINESS_TIMEOUT_MS = 2000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return Promise.race([p, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

const HealthSchema = v.strictObject({ status: v.literal("ok") });
const ReadySchema = v.strictObject({
  status: v.picklist(["ready", "not ready"]),
  /** Operators only: "ok", or "failing: <reason>", per dependency. */
  checks: v.optional(v.record(v.string(), v.string())),
});

export const healthDocs = [
  describeRoute({
    method: "get",
    path: "/healthz",
    operationId: "health",
    tag: "Probes",
    summary: "Liveness: the process serves",
    access: "public",
    responses: { 200: { description: "Serving", schema: HealthSchema } },
  }),
  describeRoute({
    method: "get",
    path: "/readyz",
    operationId: "ready",
    tag: "Probes",
    summary: "Readiness: every dependency answers, the outbox backlog and every worker group's lag are within bounds",
    description: "Anyone gets `{status}`; with an operator's token, also `checks`: which dependency fails and why.",
    access: "public",
    responses: {
      200: { description: "Ready for traffic", schema: ReadySchema },
      503: { description: "Not ready: `checks` says which dependency fails", schema: ReadySchema },
    },
  }),
];

/**
 * /healthz: the process serves. /readyz: every dependency answers, so a load balancer may
 * route here. Anonymous callers (load balancers) and non-operators get only
 * `{status}`; the checks — which dependency fails and its error, with group names and
 * lag — go to operators only (a token is verified when sent: gateway/app.ts).
 */
export function registerHealth(app: Hono, deps: Pick<GatewayDeps, "readiness">): void {
  app.get("/healthz", (c) => c.json({ status: "ok" } satisfies v.InferOutput<typeof HealthSchema>));
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
    const body: v.InferOutput<typeof ReadySchema> = operator ? { status, checks } : { status };
    return c.json(body, ready ? 200 : 503);
  });
}
