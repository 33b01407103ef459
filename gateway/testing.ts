import { expect } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import type { Db } from "../shared/db/open-libsql.ts";
import { bookings } from "../shared/db/schema.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { CONSUMER_GROUPS } from "../shared/events/consumer-groups.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../shared/geo/embedded/embedded-geo.ts";
import { openTempHistory } from "../shared/history/testing.ts";
import { createEmbeddedLog } from "../shared/log/embedded/embedded-log.ts";
import type { DeliveredRecord, EventLog, OutgoingRecord, Publisher } from "../shared/log/event-log.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { createEmbeddedSurgeStore } from "../shared/surge/embedded/embedded-surge-store.ts";
import { createEmbeddedTripStream } from "../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { createApp } from "./app.ts";
import { testSecurity } from "./auth/testing-auth.ts";
import { tripDeps } from "./build-deps.ts";
import type { GatewayDeps } from "./deps.ts";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "./events/publish-event.ts";
import { historyReads } from "./history-reads.ts";
import { openIdempotencyStore } from "./idempotency/libsql-idempotency-store.ts";
import { createFlowSampler, type FlowSampler } from "./operator/flow-sampler.ts";
import { operatorViews } from "./operator/operator-views.ts";
import { fileAssets } from "./static/file-assets.ts";

export { asCustomer, asDriver, asOperator, bearer, TEST_AUTH, tokenFor } from "./auth/testing-auth.ts";

/**
 * A gateway over a real embedded log and history database in temp files and an
 * embedded geo index, for in-process HTTP tests (`app.request`). `published(topic)`
 * reads back what actually reached the log, and `sent` lists every record the log acked, in
 * order (through the outbox too); `geo` and `history` let a test seed state.
 * Tokens are verified against TEST_AUTH: send `asDriver(id)`, `asCustomer(id)` or
 * `asOperator()` as headers.
 */
/** A flow sampler over the catalogue that samples only when the test calls `sample()`. */
export function testFlowSampler(log: EventLog, now: () => number = Date.now): FlowSampler {
  const topics = Object.values(TOPICS);
  return createFlowSampler({ admin: log.admin(), topics, groups: CONSUMER_GROUPS, intervalMs: 1000, windowMs: 3_600_000, now });
}

/** The operator views of a test gateway over `log`, with a flow sampler of its own (`flow.sample()` to take a sample). */
export function testOperatorViews(log: EventLog, flowClock?: () => number) {
  const flow = testFlowSampler(log, flowClock);
  return { flow, operator: operatorViews(log, flow.window) };
}

export async function gatewayOverEmbeddedLog(overrides: Partial<GatewayDeps> = {}, opts: { flowClock?: () => number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fleet-gw-"));
  const log = await createEmbeddedLog({ url: `file:${join(dir, "log.db")}` });
  await log.admin().ensureTopics(TOPIC_CATALOGUE);
  const geo = createEmbeddedGeoIndex();
  const history = await openTempHistory("fleet-gw-history-");
  // The gateway's own database, apart from the workers' history (docs/architecture.md, storage rules).
  const idempotency = await openIdempotencyStore({ url: `file:${join(dir, "gateway.db")}` });
  const { flow, operator } = testOperatorViews(log, opts.flowClock);
  const sent: OutgoingRecord[] = [];
  const logPublisher = log.publisher();
  const publisher: Publisher = {
    publish: async (records) => {
      await logPublisher.publish(records);
      sent.push(...records);
    },
    close: () => logPublisher.close(),
  };
  const surge = createEmbeddedSurgeStore();
  const tripStream = createEmbeddedTripStream();
  const deps: GatewayDeps = {
    publisher,
    registry: new Registry(),
    logger: createLogger({ level: "error", write: () => {} }),
    readiness: {},
    limits: { maxFixAgeMs: 6 * 3_600_000, staleAfterMs: 60_000, publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS },
    geo,
    ...historyReads(history.db),
    idempotency,
    tripStream,
    eta: createStraightLineEta(),
    assets: fileAssets(),
    operator,
    ...testSecurity(),
    trips: tripDeps(history.db, surge),
    ...overrides,
  };
  const app = createApp(deps);

  async function published(topic: string): Promise<DeliveredRecord[]> {
    const lag = await log.admin().lag(`probe-${Math.random()}`, [topic]);
    const total = lag.reduce((s, p) => s + p.end, 0);
    if (total === 0) return [];
    const got: DeliveredRecord[] = [];
    const sub = await log
      .subscriber()
      .subscribe({ group: `probe-${Math.random()}`, topics: [topic], handler: async (b) => void got.push(...b.records) });
    const deadline = Date.now() + 5000;
    while (got.length < total && Date.now() < deadline) await Bun.sleep(10);
    await sub.stop();
    return got;
  }

  return {
    app,
    log,
    geo,
    history: history.db,
    tripStream,
    deps,
    idempotency,
    flow,
    surge,
    published,
    sent,
    close: async () => {
      await log.close();
      await geo.close();
      await tripStream.close();
      idempotency.close();
      history.remove();
    },
  };
}

/** A booking row as the booking worker writes it (accepted by drv-9, unless `over` says otherwise), so the routes that read the history find it. */
export function storedBookingRow(bookingId: string, over: Partial<typeof bookings.$inferInsert> = {}): typeof bookings.$inferInsert {
  return {
    bookingId,
    customerId: "cust-7",
    orderId: null,
    vehicleType: "sedan",
    pickupLat: 12.9716,
    pickupLng: 77.5946,
    dropoffLat: 12.9352,
    dropoffLng: 77.6245,
    fareAmount: 127.1,
    fareCurrency: "INR",
    status: "accepted",
    driverId: "drv-9",
    wave: 1,
    version: 4,
    correlationId: "req-1",
    requestedAt: "2026-11-01T08:00:00.000Z",
    updatedAt: "2026-11-01T08:00:09.000Z",
    ...over,
  };
}

export function json(body: unknown, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
  };
}

/** A POST with an Idempotency-Key (none when `key` is undefined) and the caller's headers (asCustomer(id)), as customers' clients send bookings and orders. */
export function postWithKey(body: unknown, key: string | undefined, auth: Record<string, string>): RequestInit {
  return json(body, { method: "POST", headers: { ...auth, ...(key === undefined ? {} : { "idempotency-key": key }) } });
}

/** Asserts a problem+json answer with this status, naming `field` among its errors when one is given. */
export async function expectProblem(res: Response, status: number, field: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const p = (await res.json()) as { status: number; errors?: { field: string }[] };
  expect(p.status).toBe(status);
  if (field) expect(p.errors?.map((e) => e.field)).toContain(field);
}

/** A booking row as the booking worker would have stored it (accepted by drv-1 unless told otherwise); returns its id. */
export async function insertBooking(history: Db, b: Partial<typeof bookings.$inferInsert> & { customerId: string }): Promise<string> {
  const bookingId = b.bookingId ?? crypto.randomUUID();
  await history.orm.insert(bookings).values(
    storedBookingRow(bookingId, {
      pickupLat: 12.97,
      pickupLng: 77.59,
      dropoffLat: 12.93,
      dropoffLng: 77.62,
      fareAmount: 100,
      driverId: "drv-1",
      version: 3,
      correlationId: "r",
      updatedAt: "2026-11-01T08:00:05.000Z",
      ...b,
      bookingId,
    }),
  );
  return bookingId;
}
