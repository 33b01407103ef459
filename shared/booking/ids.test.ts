import { describe, expect, test } from "bun:test";
import {
  bookingIdForOrderTruck,
  bookingIdForRequest,
  decisionEventId,
  notificationIdFor,
  requestedEventId,
  waveDueEventId,
} from "./ids.ts";

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("booking ids", () => {
  test("the same inputs give the same UUIDv5, every time", () => {
    const id = bookingIdForRequest("cust-1", "key-1");
    expect(id).toMatch(UUID_V5);
    expect(bookingIdForRequest("cust-1", "key-1")).toBe(id);
    expect(requestedEventId(id)).toBe(requestedEventId(id));
    expect(decisionEventId(id, "e-1")).toBe(decisionEventId(id, "e-1"));
  });

  test("ids are pinned: changing the namespace or the naming would orphan every stored booking", () => {
    expect(bookingIdForRequest("cust-1", "key-1")).toBe("78c692b6-0fa9-565d-b656-07f39798846f");
  });

  test("different inputs never share an id, even where a separator would be ambiguous", () => {
    expect(bookingIdForRequest("a:b", "c")).not.toBe(bookingIdForRequest("a", "b:c"));
    expect(bookingIdForRequest("cust-1", "key-1")).not.toBe(bookingIdForRequest("cust-2", "key-1"));
    const b = bookingIdForRequest("c", "k");
    const ids = [
      b,
      requestedEventId(b),
      decisionEventId(b, requestedEventId(b)),
      decisionEventId(b, waveDueEventId(b, 1)),
      waveDueEventId(b, 1),
      waveDueEventId(b, 2),
      notificationIdFor(b, "d-1"),
      bookingIdForOrderTruck("o-1", 0),
      bookingIdForOrderTruck("o-1", 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
