/**
 * A 4-digit code for the customer to give the driver at pickup (`start` carries it when
 * PICKUP_CODE_REQUIRED is set). Random, not derived from the booking: a driver knows the
 * booking's id and must not be able to work the code out from it.
 */
export function newPickupCode(): string {
  return String(crypto.getRandomValues(new Uint32Array(1))[0]! % 10_000).padStart(4, "0");
}
