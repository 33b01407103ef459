import type { BookingStatus } from "./state-machine.ts";

/** Where a booking's life ends: nothing applies after these, so its live stream ends too. */
export const FINAL_STATUSES: readonly BookingStatus[] = ["completed", "cancelled", "expired"];

export const isFinalStatus = (s: BookingStatus): boolean => FINAL_STATUSES.includes(s);
