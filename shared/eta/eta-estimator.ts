import type { VehicleType } from "../events/driver.ts";

/** Where a trip leg starts and ends. */
export interface EtaPoint {
  lat: number;
  lng: number;
}

export interface EtaRequest {
  from: EtaPoint;
  to: EtaPoint;
  vehicleType: VehicleType;
  /** The driver's recent ground speed in m/s (from its fixes), when known. */
  recentSpeedMps?: number;
}

/** An estimate, and the model that produced it so a client can show how sure it is. */
export interface Eta {
  seconds: number;
  /** Road distance the model assumed, metres. */
  distanceM: number;
  model: string;
}

/**
 * Seconds from one point to another for a vehicle type. A routing engine (OSRM,
 * Valhalla, a vendor API) plugs in here; the default (straight-line-eta.ts) needs no
 * network. Contract (eta-estimator.contract.ts): finite and non-negative, zero for the
 * same point, never shorter for a farther destination on the same bearing. Estimators
 * may be asynchronous and may fail; callers treat a failure as "no ETA", never as an
 * error of the booking.
 */
export interface EtaEstimator {
  estimate(request: EtaRequest): Promise<Eta>;
}
