import type { Hono } from "hono";
import { createFleetClient, type FleetClient } from "../../clients/typescript/index.ts";
import type { Role } from "../../gateway/auth/principal.ts";
import { tokenFor } from "../../gateway/auth/testing-auth.ts";
import { apiDocument } from "../../gateway/openapi/api-document.ts";
import { type Conformance, createConformance, exchangeOf } from "../../gateway/openapi/conformance.ts";

let shared: Conformance | undefined;
/** One checker for the whole run: the document is built once. */
export const suiteConformance = (): Conformance => (shared ??= createConformance(apiDocument()));

/**
 * The typed client (clients/typescript) as a test's caller, against an in-process app
 * (`app.fetch`) or a URL. Every answer is checked against the OpenAPI document: one that
 * does not conform fails the call, so every test using it also tests the document.
 */
export function apiClient(
  target: Hono | string,
  who?: { role: Role; sub: string },
  conformance: Conformance = suiteConformance(),
): FleetClient {
  const inProcess = typeof target !== "string";
  const client = createFleetClient({
    baseUrl: inProcess ? "http://gateway.test" : target,
    token: who && tokenFor(who),
    ...(inProcess && { fetch: (request: Request) => Promise.resolve(target.fetch(request)) }),
  });
  client.use({
    async onResponse({ request, response }) {
      const issues = conformance.check(await exchangeOf(request, response));
      if (issues.length > 0) throw new Error(`answer not as the OpenAPI document says:\n${issues.join("\n")}`);
    },
  });
  return client;
}

export const asDriverClient = (target: Hono | string, driverId: string) => apiClient(target, { role: "driver", sub: driverId });
export const asCustomerClient = (target: Hono | string, customerId: string) => apiClient(target, { role: "customer", sub: customerId });
export const asOperatorClient = (target: Hono | string, sub = "ops-test") => apiClient(target, { role: "operator", sub });
