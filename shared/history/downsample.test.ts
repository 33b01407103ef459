import { describe, expect, test } from "bun:test";
import { DEFAULT_DOWNSAMPLE, downsample } from "./downsample.ts";
import { pointAt } from "./testing.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
const at = (s: number, north = 0) => pointAt("d-1", T0, s, 12.9716, 77.5946, north);
const seconds = (n: number) => Array.from({ length: n }, (_, i) => i);
const times = (picked: { recordedAt: number }[]) => picked.map((p) => (p.recordedAt - T0) / 1000);

describe("downsample (50 m or 30 s since the last stored fix)", () => {
  test("standing still for 5 minutes with a fix a second keeps one fix per 30 s: 10", () => {
    const picked = downsample(
      seconds(300).map((s) => at(s)),
      null,
      DEFAULT_DOWNSAMPLE,
    );
    expect(times(picked)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
  });

  test("GPS jitter under 50 m is standing still", () => {
    const picked = downsample(
      seconds(300).map((s) => at(s, s % 2 === 0 ? 20 : -20)),
      null,
      DEFAULT_DOWNSAMPLE,
    );
    expect(picked.length).toBe(10);
  });

  test("driving at 20 m/s keeps the first fix 50 m on: every 3 s, 100 in 5 minutes", () => {
    const picked = downsample(
      seconds(300).map((s) => at(s, s * 20)),
      null,
      DEFAULT_DOWNSAMPLE,
    );
    expect(picked.length).toBe(100);
    expect(times(picked).slice(0, 4)).toEqual([0, 3, 6, 9]);
  });

  test("continues from the last stored point; fixes not newer than it are dropped", () => {
    const last = { recordedAt: T0 + 10_000, lat: at(0).lat, lng: at(0).lng };
    const picked = downsample([at(5), at(10), at(20), at(39), at(40), at(41, 49), at(42, 51)], last, DEFAULT_DOWNSAMPLE);
    expect(times(picked)).toEqual([40, 42]);
  });

  test("the thresholds are settings", () => {
    const picked = downsample(
      seconds(60).map((s) => at(s, s * 5)),
      null,
      { minDistanceM: 18, minIntervalMs: 10_000 },
    );
    expect(times(picked)).toEqual(seconds(15).map((i) => i * 4));
  });
});
