import { CustomerIdSchema, FareSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { DriverIdSchema, FixSchema, VehicleTypeSchema } from "../../shared/events/driver.ts";
import { ROUTE_DOCS } from "../route-docs.ts";
import { BookingDetailsSchema, BookingStatusSchema, OfferedBookingSchema, TimelineEntrySchema } from "../routes/booking.ts";
import { BookingSummarySchema } from "../routes/bookings-list.ts";
import { OrderSummarySchema } from "../routes/customer-orders.ts";
import { StandingOfferSchema } from "../routes/driver-offers.ts";
import { OrderDetailsSchema } from "../routes/order.ts";
import { TripEtaSchema, TripLocationSchema, TripStreamMessageSchema } from "../streams/trip-stream-events.ts";
import { EtaViewSchema } from "../views/pickup-eta.ts";
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
  TimelineEntry: TimelineEntrySchema,
  BookingSummary: BookingSummarySchema,
  Eta: EtaViewSchema,
  StandingOffer: StandingOfferSchema,
  OfferedBooking: OfferedBookingSchema,
  TripLocation: TripLocationSchema,
  TripEta: TripEtaSchema,
  TripStreamMessage: TripStreamMessageSchema,
  OrderDetails: OrderDetailsSchema,
  OrderSummary: OrderSummarySchema,
};

/** The gateway's OpenAPI document, served at /openapi.json and the source of clients/typescript. */
export function apiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(ROUTE_DOCS, NAMED_SCHEMAS, {
    title: "fleetstream",
    version: "1",
    description:
      "The fleetstream gateway: GPS ingest, nearby search, bookings (with their live trip streams), orders and operator routes. JSON in camelCase; every error is application/problem+json naming each bad field in `errors`. Every route but the probes and these documentation pages needs a bearer token.",
  });
}
