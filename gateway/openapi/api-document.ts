import { CustomerIdSchema, FareSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, FixSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { ROUTE_DOCS } from "../route-docs.ts";
import { BookingDetailsSchema, BookingStatusSchema } from "../routes/booking.ts";
import { OrderDetailsSchema } from "../routes/order.ts";
import { buildOpenApiDocument } from "./build-document.ts";

/** Schemas worth a name in the document (and in the generated client's `components["schemas"]`); the rest are inline. */
const NAMED_SCHEMAS = {
  DriverId: DriverIdSchema,
  CustomerId: CustomerIdSchema,
  VehicleType: VehicleTypeSchema,
  Fix: FixSchema,
  Place: PlaceSchema,
  Fare: FareSchema,
  BookingStatus: BookingStatusSchema,
  BookingDetails: BookingDetailsSchema,
  OrderDetails: OrderDetailsSchema,
};

/** The gateway's OpenAPI document, served at /openapi.json and the source of clients/typescript. */
export function apiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(ROUTE_DOCS, NAMED_SCHEMAS, {
    title: "fleetstream",
    version: "1",
    description:
      "The fleetstream gateway: GPS ingest, nearby search, bookings, orders and operator routes. JSON in camelCase; every error is application/problem+json naming each bad field in `errors`. Every route but the probes and these documentation pages needs a bearer token.",
  });
}
