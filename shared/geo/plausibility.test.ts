import { describe, expect, test } from "bun:test";
import { M_PER_DEG_LAT } from "../history/testing.ts";
import { fixFlags, impliedSpeedKmh, judgeSpeed, type SpeedTrack, type TimedPoint } from "./plausibility.ts";

const HOME = { lat: 12.9716, lng: 77.5946 };
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
/** A fix `north` metres north of HOME, `s` seconds after T0. */
const fix = (s: number, north: number, accuracy: number | null = 5, flags: ("speed" | "accuracy" | "outside-area")[] = []) => ({
  lat: HOME.lat + north / M_PER_DEG_LAT,
  lng: HOME.lng,
  recordedAt: T0 + s * 1000,
  accuracy,
  flags,
});
const flagsOf = (fixes: { flags: string[] }[]) => fixes.map((f) => f.flags.join("+") || "ok");

describe("fixFlags", () => {
  const area = { minLat: 12.8, minLng: 77.4, maxLat: 13.2, maxLng: 77.8 };

  test("accuracy worse than the threshold is flagged; a fix without accuracy is not judged on it", () => {
    expect(fixFlags({ ...HOME, accuracy: 200 }, { maxAccuracyM: 200, serviceArea: null })).toEqual([]);
    expect(fixFlags({ ...HOME, accuracy: 200.5 }, { maxAccuracyM: 200, serviceArea: null })).toEqual(["accuracy"]);
    expect(fixFlags({ ...HOME }, { maxAccuracyM: 200, serviceArea: null })).toEqual([]);
  });

  test("outside the service area (edges inside) is flagged; no area means anywhere", () => {
    const s = { maxAccuracyM: 200, serviceArea: area };
    expect(fixFlags({ lat: 12.8, lng: 77.8 }, s)).toEqual([]);
    expect(fixFlags({ lat: 19.076, lng: 72.8777 }, s)).toEqual(["outside-area"]);
    expect(fixFlags({ lat: 13.0, lng: 77.81, accuracy: 900 }, s)).toEqual(["accuracy", "outside-area"]);
    expect(fixFlags({ lat: 19.076, lng: 72.8777 }, { maxAccuracyM: 200, serviceArea: null })).toEqual([]);
  });
});

describe("impliedSpeedKmh", () => {
  const at = (s: number, north: number, accuracy: number | null = null): TimedPoint => ({ ...fix(s, north, accuracy) });

  test("distance over time, after discounting jitter (both accuracies, at least 25 m)", () => {
    expect(impliedSpeedKmh(at(0, 0), at(10, 225))).toBeCloseTo(72, 6); // (225 - 25) m in 10 s
    expect(impliedSpeedKmh(at(0, 0, 40), at(10, 280, 60))).toBeCloseTo(64.8, 6); // (280 - 100) m in 10 s
    expect(impliedSpeedKmh(at(0, 0), at(0.1, 20))).toBe(0); // jitter a tenth of a second apart
  });

  test("a real move with no time between the fixes is infinitely fast; no move at all is 0", () => {
    expect(impliedSpeedKmh(at(5, 0), at(5, 1_000))).toBe(Infinity);
    expect(impliedSpeedKmh(at(5, 0), at(5, 0))).toBe(0);
  });
});

describe("judgeSpeed (max 250 km/h)", () => {
  const judge = (fixes: ReturnType<typeof fix>[], track: SpeedTrack | null = null) => judgeSpeed(fixes, track, 250);

  test("a driver moving at 72 km/h passes; the first fix of an unknown driver passes", () => {
    const { fixes, track } = judge([0, 1, 2, 3].map((s) => fix(s, s * 20)));
    expect(flagsOf(fixes)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(track?.last.recordedAt).toBe(T0 + 3_000);
    expect(track?.plausible?.recordedAt).toBe(T0 + 3_000);
  });

  test("a one-off jump (5,000 km/h) is flagged; a fix back where the driver plausibly is clears it at once", () => {
    const { fixes, track } = judge([fix(0, 0), fix(1, 20), fix(2, 1_430), fix(3, 60)]);
    expect(flagsOf(fixes)).toEqual(["ok", "ok", "speed", "ok"]);
    expect(track?.plausible?.recordedAt).toBe(T0 + 3_000);
  });

  test("a relocation: the first fix far away is flagged, the next consistent with it clears it", () => {
    const { fixes } = judge([fix(0, 0), fix(60, 500_000), fix(61, 500_010), fix(62, 500_020)]);
    expect(flagsOf(fixes)).toEqual(["ok", "speed", "ok", "ok"]);
  });

  test("a driver bouncing between two places keeps being flagged", () => {
    const { fixes } = judge([fix(0, 0), fix(1, 5_000), fix(2, 0), fix(3, 5_000), fix(4, 0)]);
    expect(flagsOf(fixes)).toEqual(["ok", "speed", "ok", "speed", "ok"]);
  });

  test("the track from earlier batches is the reference; fixes not newer than it are left as they are", () => {
    const { track } = judge([fix(0, 0), fix(10, 100)]);
    const later = judge([fix(5, 90_000), fix(11, 90_000), fix(12, 110)], track);
    expect(flagsOf(later.fixes)).toEqual(["ok", "speed", "ok"]);
  });

  test("gateway flags stay and make a fix implausible: it is no reference for the 'last plausible' rule", () => {
    const { fixes, track } = judge([fix(0, 0), fix(1, 20, 900, ["accuracy"]), fix(2, 5_000)]);
    expect(flagsOf(fixes)).toEqual(["ok", "accuracy", "speed"]);
    expect(track?.plausible?.recordedAt).toBe(T0);
    expect(track?.last.recordedAt).toBe(T0 + 2_000);
  });
});
