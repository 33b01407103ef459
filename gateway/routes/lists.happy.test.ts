import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { orders } from "../../shared/db/schema.ts";
import { asCustomer, asOperator, expectProblem, gatewayOverEmbeddedLog, insertBooking } from "../testing.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute)).toISOString();

describe("lists: a customer's bookings and orders, operators' bookings by status and age", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  /** cust-1's bookings, oldest first. */
  const mine: string[] = [];
  const get = async <T>(path: string, headers: Record<string, string>) => {
    const res = await gw.app.request(path, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  type Page = { bookings: { bookingId: string; status: string }[]; nextCursor: string | null };

  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
    for (let i = 0; i < 7; i++) {
      const status = i % 3 === 0 ? "completed" : "accepted";
      mine.push(await insertBooking(gw.history, { customerId: "cust-1", status, requestedAt: at(i), updatedAt: at(i + 1) }));
    }
    await insertBooking(gw.history, { customerId: "cust-2", status: "accepted", requestedAt: at(3), updatedAt: at(50) });
    for (let i = 0; i < 3; i++)
      await gw.history.orm.insert(orders).values({
        orderId: crypto.randomUUID(),
        customerId: "cust-1",
        pickupLat: 1,
        pickupLng: 2,
        dropoffLat: 3,
        dropoffLng: 4,
        status: i === 0 ? "fulfilled" : "searching",
        truckCount: 2,
        correlationId: "c",
        createdAt: at(i),
        updatedAt: at(i),
      });
  });
  afterAll(() => gw.close());

  test("a customer's bookings come newest first, a page at a time, every one once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : "";
      const page: Page = await get(`/v1/customers/cust-1/bookings?limit=3${q}`, asCustomer("cust-1"));
      expect(page.bookings.length).toBeLessThanOrEqual(3);
      seen.push(...page.bookings.map((b) => b.bookingId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...mine].reverse());
    const completed = await get<Page>("/v1/customers/cust-1/bookings?status=completed", asCustomer("cust-1"));
    expect(completed.bookings.map((b) => b.bookingId)).toEqual([mine[6]!, mine[3]!, mine[0]!]);
    expect(completed.nextCursor).toBeNull();
  });

  test("a customer's orders come newest first with a status filter; operators may read any customer's lists", async () => {
    const all = await get<{ orders: { status: string; truckCount: number }[] }>("/v1/customers/cust-1/orders", asCustomer("cust-1"));
    expect(all.orders.map((o) => o.status)).toEqual(["searching", "searching", "fulfilled"]);
    const done = await get<{ orders: unknown[] }>("/v1/customers/cust-1/orders?status=fulfilled", asOperator());
    expect(done.orders).toHaveLength(1);
    expect((await get<Page>("/v1/customers/cust-2/bookings", asOperator())).bookings).toHaveLength(1);
  });

  test("operators list bookings by status changed before an instant, least recently changed first", async () => {
    const stuck = await get<Page>(`/v1/bookings?status=accepted&updatedBefore=${at(6)}&limit=2`, asOperator());
    expect(stuck.bookings.map((b) => b.bookingId)).toEqual([mine[1]!, mine[2]!]);
    const next = await get<Page>(`/v1/bookings?status=accepted&updatedBefore=${at(6)}&limit=2&cursor=${stuck.nextCursor}`, asOperator());
    expect(next.bookings.map((b) => b.bookingId)).toEqual([mine[4]!]);
    expect(next.nextCursor).toBeNull();
  });

  test("another customer's list is forbidden; a customer may not list all bookings; bad filters and cursors are named", async () => {
    expect((await gw.app.request("/v1/customers/cust-1/bookings", { headers: asCustomer("cust-2") })).status).toBe(403);
    expect((await gw.app.request("/v1/customers/cust-1/orders", { headers: asCustomer("cust-2") })).status).toBe(403);
    expect((await gw.app.request("/v1/bookings", { headers: asCustomer("cust-1") })).status).toBe(403);
    await expectProblem(
      await gw.app.request("/v1/customers/cust-1/bookings?status=lost", { headers: asCustomer("cust-1") }),
      400,
      "status",
    );
    await expectProblem(await gw.app.request("/v1/customers/cust-1/bookings?limit=1000", { headers: asCustomer("cust-1") }), 400, "limit");
    await expectProblem(await gw.app.request("/v1/bookings?updatedBefore=yesterday", { headers: asOperator() }), 400, "updatedBefore");
    const page = await get<Page>("/v1/customers/cust-1/bookings?limit=1", asCustomer("cust-1"));
    // A cursor belongs to its list: cust-1's cursor means nothing for the completed-only list.
    await expectProblem(
      await gw.app.request(`/v1/customers/cust-1/bookings?status=completed&cursor=${page.nextCursor}`, { headers: asCustomer("cust-1") }),
      400,
      "cursor",
    );
  });
});
