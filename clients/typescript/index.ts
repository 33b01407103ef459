import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.d.ts";

export type { components, operations, paths };
export type FleetClient = Client<paths>;
/** A named schema of the API, e.g. `Schema<"BookingDetails">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

export interface FleetClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** Where the gateway listens, e.g. http://localhost:3000. */
  baseUrl: string;
  /** The caller's bearer token (driver, customer or operator); left out for the public routes. */
  token?: string;
}

/**
 * A typed client of the fleetstream gateway (openapi-fetch over the generated types):
 * paths, parameters, bodies and every documented answer are checked at compile time.
 *
 *   const api = createFleetClient({ baseUrl, token });
 *   const { data, error } = await api.GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } });
 *
 * `error` is the problem+json body of a 4xx/5xx; `response` is the raw Response.
 */
export function createFleetClient({ baseUrl, token, headers, ...rest }: FleetClientOptions): FleetClient {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
    ...rest,
  });
}
