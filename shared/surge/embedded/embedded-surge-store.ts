import { type DemandEntry, parseZoneName, type SurgeStore, type SurgeZone, type ZoneSurge, zoneName } from "../surge-store.ts";

/**
 * SurgeStore in process memory, for `bun run dev` and tests: not shared between
 * processes and empty after a restart (surge starts again from the floor, and a zone's
 * demand from the next requests). Otherwise it behaves as the port says.
 */
export function createEmbeddedSurgeStore(): SurgeStore {
  const demand = new Map<string, Map<string, number>>();
  const states = new Map<string, ZoneSurge>();
  const active = new Set<string>();
  return {
    async recordDemand(entries: readonly DemandEntry[]) {
      for (const e of entries) {
        const name = zoneName(e);
        let zone = demand.get(name);
        if (!zone) demand.set(name, (zone = new Map()));
        zone.set(e.bookingId, e.at);
        active.add(name);
      }
    },
    async demand(zones: readonly SurgeZone[], since: number) {
      return zones.map((z) => {
        const entries = demand.get(zoneName(z));
        if (!entries) return 0;
        for (const [id, at] of entries) if (at < since) entries.delete(id);
        return entries.size;
      });
    },
    async put(put: readonly ZoneSurge[]) {
      for (const s of put) {
        states.set(zoneName(s), { ...s });
        if (s.settled) active.delete(zoneName(s));
        else active.add(zoneName(s));
      }
    },
    async get(zones: readonly SurgeZone[]) {
      return zones.map((z) => {
        const s = states.get(zoneName(z));
        return s ? { ...s } : null;
      });
    },
    async activeZones() {
      return [...active].map(parseZoneName);
    },
    async close() {},
  };
}
