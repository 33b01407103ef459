import { describe, expect, test } from "bun:test";
import { checkWaveSettings, DEFAULT_WAVES } from "../shared/booking/waves.ts";
import { ConfigError, parseConfig } from "../shared/config/parse-config.ts";
import { MatchingConfigSchema, WorkersConfigSchema } from "./config.ts";
import { DEFAULT_WORKER_SETTINGS, workerSettings } from "./settings.ts";

describe("matching settings from the environment (workers and dev)", () => {
  test("nothing set → the documented defaults, the same the handlers use without config", () => {
    const s = workerSettings(parseConfig(WorkersConfigSchema, {}));
    expect(s).toEqual(DEFAULT_WORKER_SETTINGS);
    expect(s.waves).toEqual(DEFAULT_WAVES);
  });

  test("radii, wave size, offer TTL and staleness are read and converted", () => {
    const s = workerSettings(
      parseConfig(WorkersConfigSchema, {
        BOOKING_WAVE_RADII_M: "500, 2000,5000",
        BOOKING_WAVE_SIZE: "4",
        BOOKING_OFFER_TTL_S: "20",
        STALE_AFTER_S: "30",
        MAX_SPEED_KMH: "180",
      }),
    );
    expect(s).toMatchObject({
      staleAfterMs: 30_000,
      waves: { radiiM: [500, 2000, 5000], batchSize: 4, offerTtlMs: 20_000 },
      maxSpeedKmh: 180,
    });
    expect(checkWaveSettings(s.waves)).toBe(s.waves);
  });

  test("the trip's deadlines and limits, the geofence and surge are read and converted", () => {
    const s = workerSettings(
      parseConfig(WorkersConfigSchema, {
        ARRIVAL_GRACE_S: "120",
        CUSTOMER_WAIT_LIMIT_S: "240",
        BOOKING_MAX_REASSIGNMENTS: "1",
        BOOKING_REASSIGN_WINDOW_S: "900",
        PICKUP_CODE_REQUIRED: "true",
        ARRIVAL_RADIUS_M: "80",
        SURGE_WINDOW_S: "300",
        SURGE_FLOOR: "0.9",
        SURGE_CAP: "2.5",
        SURGE_SMOOTHING_S: "30",
      }),
    );
    expect(s).toMatchObject({
      trip: {
        arrivalGraceMs: 120_000,
        waitLimitMs: 240_000,
        reassign: { maxReassignments: 1, windowMs: 900_000 },
        pickupCodeRequired: true,
      },
      arrivalRadiusM: 80,
      surge: { windowMs: 300_000, floor: 0.9, cap: 2.5, smoothingMs: 30_000 },
    });
  });

  for (const [name, value, says] of [
    ["BOOKING_WAVE_RADII_M", "3000,1000", "must be positive and growing"],
    ["BOOKING_WAVE_RADII_M", "1km,3km", "must be whole numbers of metres separated by commas"],
    ["BOOKING_WAVE_RADII_M", "0,1000", "must be positive and growing"],
    ["BOOKING_WAVE_SIZE", "0", "BOOKING_WAVE_SIZE"],
    ["BOOKING_OFFER_TTL_S", "15s", "must be a whole number of seconds"],
    ["PICKUP_CODE_REQUIRED", "yes", 'must be "true" or "false"'],
    ["ARRIVAL_GRACE_S", "5m", "must be a whole number of seconds"],
  ] as const) {
    test(`${name}=${value} stops start-up naming it`, () => {
      for (const schema of [WorkersConfigSchema, MatchingConfigSchema]) {
        expect(() => parseConfig(schema, { [name]: value })).toThrow(ConfigError);
        try {
          parseConfig(schema, { [name]: value });
        } catch (err) {
          expect((err as Error).message).toContain(name);
          expect((err as Error).message).toContain(says);
        }
      }
    });
  }
});

test("surge: a cap below the floor, or a floor that is not a number, stops start-up naming it", () => {
  expect(() => parseConfig(WorkersConfigSchema, { SURGE_FLOOR: "2", SURGE_CAP: "1.5" })).toThrow(/SURGE_CAP: must be at least SURGE_FLOOR/);
  expect(() => parseConfig(WorkersConfigSchema, { SURGE_FLOOR: "cheap" })).toThrow(/SURGE_FLOOR: must be a decimal number/);
});
