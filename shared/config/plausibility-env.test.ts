import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { ConfigError, parseConfig } from "./parse-config.ts";
import { maxAccuracyM, maxSpeedKmh, serviceArea } from "./plausibility-env.ts";

const Schema = v.object({ MAX_ACCURACY_M: maxAccuracyM, SERVICE_AREA: serviceArea, MAX_SPEED_KMH: maxSpeedKmh });

describe("GPS plausibility settings from the environment", () => {
  test("nothing set: 200 m, 250 km/h, no service area", () => {
    expect(parseConfig(Schema, {})).toEqual({ MAX_ACCURACY_M: 200, SERVICE_AREA: undefined, MAX_SPEED_KMH: 250 });
  });

  test("a service area box is read as four numbers, spaces allowed", () => {
    const c = parseConfig(Schema, { SERVICE_AREA: "12.7, 77.3,13.3,77.9", MAX_ACCURACY_M: "75", MAX_SPEED_KMH: "180" });
    expect(c).toEqual({ MAX_ACCURACY_M: 75, SERVICE_AREA: { minLat: 12.7, minLng: 77.3, maxLat: 13.3, maxLng: 77.9 }, MAX_SPEED_KMH: 180 });
  });

  for (const [name, value, says] of [
    ["SERVICE_AREA", "12.7,77.3,13.3", "minLat,minLng,maxLat,maxLng"],
    ["SERVICE_AREA", "12.7,77.3,13.3,east", "minLat,minLng,maxLat,maxLng"],
    ["SERVICE_AREA", "13.3,77.3,12.7,77.9", "min below max"],
    ["SERVICE_AREA", "12.7,179,13.3,-179", "antimeridian"],
    ["SERVICE_AREA", "-95,77.3,13.3,77.9", "within ±90"],
    ["MAX_SPEED_KMH", "fast", "whole number of km/h"],
    ["MAX_ACCURACY_M", "0", "MAX_ACCURACY_M"],
  ] as const) {
    test(`${name}=${value} stops start-up naming it`, () => {
      const err = (() => {
        try {
          parseConfig(Schema, { [name]: value });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(name);
      expect((err as Error).message).toContain(says);
    });
  }
});
