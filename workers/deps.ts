import type { Db } from "../shared/db/open-libsql.ts";
import type { EtaEstimator } from "../shared/eta/eta-estimator.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import type { Publisher } from "../shared/log/event-log.ts";
import type { Logger } from "../shared/logging/logger.ts";
import type { Notifier } from "../shared/notify/notifier.ts";
import type { SurgeStore } from "../shared/surge/surge-store.ts";
import type { TripStream } from "../shared/trip-stream/trip-stream.ts";
import type { BookingOutbox } from "./booking/outbox.ts";

/** Everything a worker handler may touch; built once per process by its entry point. */
export interface WorkerDeps {
  /** The workers' history database (one writer process per file: docs/architecture.md, storage rules). */
  db: Db;
  geo: GeoIndex;
  /** For handlers that emit follow-up events (offers, notifications). */
  publisher: Publisher;
  logger: Logger;
  /** Where the notify worker delivers notifications: a webhook, or the log in dev. */
  notifier: Notifier;
  /** ETAs: the booking worker's arrival deadlines and offers' pickup ETAs, the trip streams' ETAs (createStraightLineEta unless a routing engine is plugged in). */
  eta: EtaEstimator;
  /** Demand and multipliers per zone (the surge worker writes, the gateway reads): Redis, or in process in dev. */
  surge: SurgeStore;
  /** Bookings' live streams: the booking worker appends statuses, the location worker positions and ETAs. */
  tripStream: TripStream;
  /** The booking and order workers' follow-ups, published after their commit (one per process: the booking loop drains it too). */
  outbox: BookingOutbox;
}
