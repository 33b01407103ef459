import { describe, expect, test } from "bun:test";
import { checkWaveSettings, DEFAULT_WAVES, pickDrivers, stepsAfter } from "./waves.ts";

const found = (...ids: string[]) => ids.map((driverId) => ({ driverId }));

describe("waves", () => {
  test("the steps after a wave are the remaining radii, numbered from 1", () => {
    expect(stepsAfter(0, DEFAULT_WAVES)).toEqual([
      [1, 1000],
      [2, 3000],
      [3, 6000],
      [4, 10000],
    ]);
    expect(stepsAfter(2, DEFAULT_WAVES)).toEqual([
      [3, 6000],
      [4, 10000],
    ]);
    expect(stepsAfter(4, DEFAULT_WAVES)).toEqual([]);
  });

  test("a wave picks the nearest drivers not offered before, up to the batch size, in search order", () => {
    expect(pickDrivers(found("a", "b", "c", "d", "e"), new Set(["b", "d"]), 2)).toEqual(["a", "c"]);
    expect(pickDrivers(found("a", "b"), new Set(["a", "b"]), 10)).toEqual([]);
    expect(pickDrivers(found("a", "a", "b"), new Set(), 10)).toEqual(["a", "b"]);
  });

  test("settings are checked: growing positive radii, a whole batch, a positive TTL", () => {
    expect(checkWaveSettings(DEFAULT_WAVES)).toBe(DEFAULT_WAVES);
    expect(() => checkWaveSettings({ ...DEFAULT_WAVES, radiiM: [] })).toThrow(/radii/);
    expect(() => checkWaveSettings({ ...DEFAULT_WAVES, radiiM: [3000, 1000] })).toThrow(/growing/);
    expect(() => checkWaveSettings({ ...DEFAULT_WAVES, batchSize: 0 })).toThrow(/batch/);
    expect(() => checkWaveSettings({ ...DEFAULT_WAVES, offerTtlMs: 0 })).toThrow(/TTL/);
  });
});
