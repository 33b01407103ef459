import type { VehicleType } from "../events/driver.ts";
import { haversineM } from "../geo/haversine.ts";
import type { Eta, EtaEstimator, EtaRequest } from "./eta-estimator.ts";

/**
 * Road distance over straight-line distance in a dense city: studies of urban road
 * networks put it between 1.2 and 1.4; 1.3 is the middle.
 */
export const DEFAULT_DETOUR_FACTOR = 1.3;

/** Typical door-to-door urban speeds in km/h, stops included (trucks slower, two-wheelers weave through). */
export const URBAN_SPEED_KMH: Readonly<Record<VehicleType, number>> = {
  bike: 25,
  auto: 22,
  sedan: 28,
  suv: 28,
  van: 25,
  tipper: 20,
  container: 18,
  open: 20,
  trailer: 16,
  reefer: 18,
};

/** Below this the driver is waiting at a light or parked: its speed says nothing about the trip. */
const MOVING_MPS = 2;

export interface StraightLineSettings {
  detourFactor: number;
  speedKmh: Readonly<Record<VehicleType, number>>;
}

/**
 * The default EtaEstimator: distance = haversine × detour factor; speed = the driver's
 * recent speed while it moves, else the vehicle type's urban speed. The recent speed is
 * capped at twice the urban speed: one fast stretch of highway must not promise a
 * four-minute crossing of a city.
 *
 *   seconds = haversine(from, to) × detourFactor ÷ speed
 */
export function createStraightLineEta(settings: Partial<StraightLineSettings> = {}): EtaEstimator {
  const detour = settings.detourFactor ?? DEFAULT_DETOUR_FACTOR;
  const speeds = settings.speedKmh ?? URBAN_SPEED_KMH;
  return {
    async estimate(r: EtaRequest): Promise<Eta> {
      const distanceM = haversineM(r.from.lat, r.from.lng, r.to.lat, r.to.lng) * detour;
      const typical = speeds[r.vehicleType] / 3.6;
      const moving = r.recentSpeedMps !== undefined && r.recentSpeedMps >= MOVING_MPS;
      const speed = moving ? Math.min(r.recentSpeedMps!, 2 * typical) : typical;
      return {
        seconds: Math.round(distanceM / speed),
        distanceM: Math.round(distanceM),
        model: moving ? "straight-line/recent-speed" : "straight-line/typical-speed",
      };
    },
  };
}
