import type { Hono } from "hono";
import * as v from "valibot";
import { describeRoute } from "../openapi/route-doc.ts";

export const openApiDoc = describeRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "openApiDocument",
  tag: "Pages",
  summary: "This document: OpenAPI 3.1, generated from the schemas the gateway validates with",
  description:
    "Public: it describes the API, not its data. The typed TypeScript client in clients/typescript is generated from it (`bun run client:generate`).",
  access: "public",
  responses: { 200: { description: "The OpenAPI document", schema: v.record(v.string(), v.unknown()) } },
});

/** GET /openapi.json, built on the first request and kept: no route pays anything for it per request. */
export function registerOpenApi(app: Hono, document: () => Record<string, unknown>): void {
  let json: string | undefined;
  app.get(openApiDoc.path, (c) => {
    json ??= JSON.stringify(document());
    return c.body(json, 200, { "content-type": "application/json" });
  });
}
