import { gridRing } from "h3-js";
import type { VehicleType } from "../events/driver.ts";
import type { CellBounds } from "./cell-bounds.ts";
import type { NearbyDriver, NearbyQuery } from "./geo-index.ts";
import { assertIndexable, shardCell } from "./shard-layout.ts";

/** What the search needs from a store; both the embedded and the Redis adapters provide it. */
export interface ShardReader {
  /**
   * For each cell, the `q.limit` fresh available drivers of `q.vehicleType` in that
   * cell's shard nearest to the query point and within `radiusM`.
   */
  searchCells(q: NearbyQuery, cells: string[], radiusM: number): Promise<NearbyDriver[][]>;
  /** Every cell whose shard of this type may hold drivers: a superset is fine, a missing cell loses drivers. */
  occupiedCells(vehicleType: VehicleType): Promise<string[]>;
}

export interface RingSearchOptions {
  resolution: number;
  bounds: CellBounds;
  /** Rings searched outward before the rest is taken from the type's occupied cells (a huge, sparse radius). */
  maxRings?: number;
}

/** At resolution 6, ring 8 starts ~35 km out: only huge radii on sparse fleets get past it. */
const DEFAULT_MAX_RINGS = 8;
const OCCUPIED_WAVE = 64;

interface WaveCell {
  cell: string;
  lowerM: number;
}

/**
 * Exact nearest-first search, outward from the query's cell in H3 rings.
 *
 * Why stopping is safe: a path from the query to any point outside disk(k-1) first
 * leaves disk(k-1) through a cell of ring k (cells that touch share an edge), so nothing
 * beyond disk(k-1) is nearer than the smallest lower bound of ring k. Once `limit`
 * drivers are found, the limit-th distance bounds the search: rings (and cells within a
 * ring) whose lower bound exceeds it are not queried. While fewer than `limit` are
 * found nothing can be pruned, so the rings after ring 0 go 2, 4, 8… per round trip.
 */
export async function searchNearby(query: NearbyQuery, reader: ShardReader, opts: RingSearchOptions): Promise<NearbyDriver[]> {
  assertIndexable(query.lat, query.lng, "nearby query");
  const q = { ...query, limit: Math.floor(query.limit) };
  if (!(q.limit >= 1) || !(q.radiusM > 0)) return [];
  const origin = shardCell(q.lat, q.lng, opts.resolution);
  const maxRings = opts.maxRings ?? DEFAULT_MAX_RINGS;
  const visited = new Set<string>();
  let best: NearbyDriver[] = [];
  let bound = q.radiusM;
  // The bound only shrinks, so a cell already beyond it needs no exact lower bound.
  const lower = (cell: string): WaveCell => ({ cell, lowerM: cell === origin ? 0 : opts.bounds.lowerBoundM(q.lat, q.lng, cell, bound) });

  /** Queries the wave's cells that can still hold something nearer; false when none can (the search is over). */
  const runWave = async (wave: WaveCell[]): Promise<boolean> => {
    const todo = wave.filter((w) => w.lowerM <= bound).map((w) => w.cell);
    if (todo.length === 0) return false;
    for (const cell of todo) visited.add(cell);
    const hits = await reader.searchCells(q, todo, bound);
    best = nearestFirst(best.concat(hits.flat()), q);
    if (best.length >= q.limit) bound = Math.min(bound, best[q.limit - 1]!.distanceM);
    return true;
  };

  let span = 1;
  for (let k = 0; k <= maxRings; ) {
    const last = Math.min(maxRings, k + span - 1);
    if (!(await runWave(rings(origin, k, last).map(lower)))) return best;
    k = last + 1;
    span = best.length < q.limit ? span * 2 : 1;
  }
  if (Math.min(...ringOf(origin, maxRings + 1).map((c) => lower(c).lowerM)) > bound) return best;

  const rest = (await reader.occupiedCells(q.vehicleType))
    .filter((c) => !visited.has(c))
    .map(lower)
    .sort((a, b) => a.lowerM - b.lowerM);
  for (let i = 0; i < rest.length; i += OCCUPIED_WAVE) {
    if (!(await runWave(rest.slice(i, i + OCCUPIED_WAVE)))) break;
  }
  return best;
}

function rings(origin: string, from: number, to: number): string[] {
  const cells = from === 0 ? [origin] : [];
  for (let k = Math.max(1, from); k <= to; k++) cells.push(...ringOf(origin, k));
  return cells;
}

/** Rings around the cells of a metro repeat in every search, and computing one is most of a search's own CPU: cached, bounded. */
const ringCache = new Map<string, string[]>();
const RING_CACHE_MAX = 20_000;

function ringOf(origin: string, k: number): string[] {
  const id = `${origin}/${k}`;
  let ring = ringCache.get(id);
  if (!ring) {
    if (ringCache.size >= RING_CACHE_MAX) ringCache.clear();
    ring = gridRing(origin, k);
    ringCache.set(id, ring);
  }
  return ring;
}

/** Distance, then id, so equal distances come back in a stable order. */
function nearestFirst(drivers: NearbyDriver[], q: NearbyQuery): NearbyDriver[] {
  return drivers
    .filter((d) => d.distanceM <= q.radiusM)
    .sort((a, b) => a.distanceM - b.distanceM || (a.driverId < b.driverId ? -1 : a.driverId > b.driverId ? 1 : 0))
    .slice(0, q.limit);
}
