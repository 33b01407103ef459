import { expect, test } from "bun:test";
import { createDeliveryMemory } from "./delivery-memory.ts";

test("a failure stands in for a send only in smaller calls, each smaller than the last, within the window", () => {
  let now = 0;
  const memory = createDeliveryMemory({ replayWindowMs: 1_000, now: () => now });
  const err = new Error("500");
  memory.markFailed("e1", err, 8);
  expect(memory.recentFailure("e1", 8)).toBeUndefined(); // the same size again: a real retry
  expect(memory.recentFailure("e1", 4)).toEqual({ error: err });
  expect(memory.recentFailure("e1", 4)).toBeUndefined();
  expect(memory.recentFailure("e1", 1)).toEqual({ error: err });
  expect(memory.recentFailure("e1", 1)).toBeUndefined(); // the runtime's attempt after its backoff sends

  memory.markFailed("e2", err, 8);
  now = 1_001;
  expect(memory.recentFailure("e2", 4)).toBeUndefined();
});

test("settling forgets the failure; the oldest entries go first beyond capacity", () => {
  const memory = createDeliveryMemory({ capacity: 2 });
  memory.markFailed("e1", new Error("x"), 4);
  memory.markSettled("e1");
  expect(memory.recentFailure("e1", 1)).toBeUndefined();
  memory.markSettled("e2");
  memory.markSettled("e3");
  expect(["e1", "e2", "e3"].map((id) => memory.isSettled(id))).toEqual([false, true, true]);
  memory.markFailed("f1", new Error("x"), 4);
  memory.markFailed("f2", new Error("x"), 4);
  memory.markFailed("f1", new Error("again"), 4); // refreshed: now the newest
  memory.markFailed("f3", new Error("x"), 4);
  expect(["f1", "f2", "f3"].map((id) => memory.recentFailure(id, 1) !== undefined)).toEqual([true, false, true]);
});
