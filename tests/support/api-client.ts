import type { Hono } from "hono";
import { createFleetClient, type FleetClient, type Schema } from "../../clients/typescript/index.ts";
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

export type Caller = { role: Role; sub: string };
export const driver = (sub: string): Caller => ({ role: "driver", sub });
export const customer = (sub: string): Caller => ({ role: "customer", sub });
export const operator = (sub = "ops-test"): Caller => ({ role: "operator", sub });

/** What a booking action may carry: accept a driverId, start the pickup code, cancel who and why. */
export type ActionBody = { driverId?: string; pickupCode?: string; by?: "customer" | "driver"; reason?: string };

/** A booking action as `who` through the typed client; expects 202 and resolves with the event id. */
export async function bookingAction(
  app: Hono,
  bookingId: string,
  action: "accept" | "arrive" | "start" | "complete" | "cancel",
  who: Caller,
  body: ActionBody = {},
): Promise<string> {
  const api = apiClient(app, who);
  const params = { path: { bookingId } };
  const res =
    action === "accept"
      ? await api.POST("/v1/bookings/{bookingId}/accept", { params, body: { driverId: body.driverId } })
      : action === "start"
        ? await api.POST("/v1/bookings/{bookingId}/start", { params, body: { pickupCode: body.pickupCode } })
        : action === "cancel"
          ? await api.POST("/v1/bookings/{bookingId}/cancel", { params, body: { by: body.by, reason: body.reason } })
          : await api.POST(`/v1/bookings/{bookingId}/${action}`, { params });
  if (res.response.status !== 202)
    throw new Error(`${action} of ${bookingId} answered ${res.response.status}: ${JSON.stringify(res.error)}`);
  return res.data!.eventId;
}

/**
 * The booking itself from GET /v1/bookings/{bookingId}'s answer, which to a driver the
 * booking was only offered to is the offer (`OfferedBooking`) instead; undefined then.
 */
export function bookingDetails(
  read: Schema<"BookingDetails"> | Schema<"OfferedBooking"> | undefined,
): Schema<"BookingDetails"> | undefined {
  return read && "timeline" in read ? read : undefined;
}
