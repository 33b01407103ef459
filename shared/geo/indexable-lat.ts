/**
 * Redis GEO (and so every adapter) can hold only latitudes inside the Web Mercator band.
 * On its own so the event schemas can bound latitudes without importing the geo layout,
 * which imports their types.
 */
export const MAX_INDEXABLE_LAT = 85.05112878;
