import { HEADER_TYPE } from "../shared/events/envelope.ts";
import type { DeliveredRecord } from "../shared/log/event-log.ts";

/** Left-aligned columns, two spaces apart; the first row is the header. */
export function table(rows: (string | number)[][]): string[] {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "));
}

export function duration(ms: number): string {
  if (ms < 0) return "forever";
  const units: [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  const hit = units.find(([, size]) => ms % size === 0 && ms >= size);
  return hit ? `${ms / hit[1]}${hit[0]}` : `${ms}ms`;
}

/** The envelope fields worth a glance; a value that is not an envelope is shown raw, since that is what a consumer choked on. */
export function describeRecord(r: DeliveredRecord): string {
  const where = `${r.topic}[${r.partition}]@${r.offset}`;
  try {
    const e = JSON.parse(r.value) as Record<string, unknown>;
    return `${where} ${e.occurredAt} ${e.type} key=${r.key} id=${e.id} ${JSON.stringify(e.data)}`;
  } catch {
    return `${where} key=${r.key} (not JSON) ${r.value}`;
  }
}

/** The event type without parsing the value: the envelope's header, which a dead letter keeps. */
export function typeOf(r: DeliveredRecord): string {
  return r.headers[HEADER_TYPE] ?? "?";
}
