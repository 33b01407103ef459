import { describe, expect, test } from "bun:test";
import { countTrucks, orderStatusOf, type TruckStatus, truckStatusOf } from "./roll-up.ts";

const statusOf = (...s: TruckStatus[]) => orderStatusOf(countTrucks(s));

describe("order roll-up", () => {
  test("bookings map to truck statuses", () => {
    expect(
      ["requested", "offered", "accepted", "started", "completed", "cancelled", "expired"].map((s) => truckStatusOf(s as never)),
    ).toEqual(["searching", "searching", "assigned", "in-progress", "completed", "cancelled", "expired"]);
  });

  test("counts put every truck a driver took under assigned", () => {
    expect(countTrucks(["searching", "assigned", "in-progress", "completed", "cancelled", "expired"])).toEqual({
      total: 6,
      searching: 1,
      assigned: 3,
      cancelled: 1,
      expired: 1,
    });
  });

  test("searching → partially-assigned → fulfilled as drivers accept", () => {
    expect(statusOf("searching", "searching")).toBe("searching");
    expect(statusOf("assigned", "searching")).toBe("partially-assigned");
    expect(statusOf("assigned", "completed")).toBe("fulfilled");
  });

  test("cancelled trucks aside: all assigned is fulfilled, all cancelled is cancelled", () => {
    expect(statusOf("assigned", "cancelled")).toBe("fulfilled");
    expect(statusOf("cancelled", "cancelled")).toBe("cancelled");
  });

  test("expired once no truck is searching and some expired, even with others assigned", () => {
    expect(statusOf("expired", "searching")).toBe("searching");
    expect(statusOf("expired", "expired")).toBe("expired");
    expect(statusOf("assigned", "expired")).toBe("expired");
    expect(statusOf("cancelled", "expired")).toBe("expired");
  });
});
