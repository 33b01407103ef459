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
    expect(s).toEqual({ staleAfterMs: 30_000, waves: { radiiM: [500, 2000, 5000], batchSize: 4, offerTtlMs: 20_000 }, maxSpeedKmh: 180 });
    expect(checkWaveSettings(s.waves)).toBe(s.waves);
  });

  for (const [name, value, says] of [
    ["BOOKING_WAVE_RADII_M", "3000,1000", "must be positive and growing"],
    ["BOOKING_WAVE_RADII_M", "1km,3km", "must be whole numbers of metres separated by commas"],
    ["BOOKING_WAVE_RADII_M", "0,1000", "must be positive and growing"],
    ["BOOKING_WAVE_SIZE", "0", "BOOKING_WAVE_SIZE"],
    ["BOOKING_OFFER_TTL_S", "15s", "must be a whole number of seconds"],
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
