import type { Hono } from "hono";
import * as v from "valibot";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

const counts = v.record(v.string(), v.pipe(v.number(), v.minValue(0)));

const FlowSchema = v.strictObject({
  intervalMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
  points: v.array(v.strictObject({ at: IsoTimestampSchema, rates: counts, lags: counts, deadLetters: counts })),
});

export const operatorFlowDoc = describeRoute({
  method: "get",
  path: "/v1/operator/flow",
  operationId: "getFlow",
  tag: "Operations",
  summary: "Topic rates, every worker group's lag and dead letters over the last minutes",
  description:
    "Sampled by this gateway every `intervalMs` from offsets alone. Each point: records per second appended to each topic since the previous sample (`rates`), each consumer group's total lag (`lags`) and the records retained in each topic's dead-letter queue (`deadLetters`), oldest point first.",
  access: ["operator"],
  responses: { 200: { description: "The window, possibly empty just after start-up", schema: FlowSchema } },
});

export function registerOperatorFlow(app: Hono, deps: Pick<GatewayDeps, "operator">): void {
  app.get(operatorFlowDoc.path, allow("operator"), (c) => c.json(deps.operator.flow() satisfies v.InferOutput<typeof FlowSchema>));
}
