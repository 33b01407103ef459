import { asCustomer, asDriver } from "../../../gateway/auth/testing-auth.ts";
import { bookingIdForRequest } from "../../../shared/booking/ids.ts";

/** One answer as a client saw it. */
export interface Answer {
  status: number;
  retryAfter: string | null;
  json: unknown;
  ms: number;
}

/** What clients saw: every answer's status, and the 503s' bound (Retry-After, time to answer). */
export class AnswerTally {
  readonly byStatus = new Map<number, number>();
  slowest503Ms = 0;
  withoutRetryAfter = 0;
  readonly acceptedMs: number[] = [];

  record(a: Answer): void {
    this.byStatus.set(a.status, (this.byStatus.get(a.status) ?? 0) + 1);
    if (a.status >= 200 && a.status < 300) this.acceptedMs.push(a.ms);
    if (a.status === 503) {
      this.slowest503Ms = Math.max(this.slowest503Ms, a.ms);
      if (!(Number(a.retryAfter) >= 1)) this.withoutRetryAfter++;
    }
  }

  /** The 99th percentile of 2xx answer times: what the machine adds to a request right now. */
  acceptedP99Ms(): number {
    const sorted = [...this.acceptedMs].sort((a, b) => a - b);
    return sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0;
  }

  /** 5xx answers other than the documented 503 + Retry-After. */
  otherServerErrors(): number {
    return [...this.byStatus].filter(([s]) => s >= 500 && s !== 503).reduce((n, [, c]) => n + c, 0);
  }

  summary(): string {
    return [...this.byStatus]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${n}×${s}`)
      .join(" ");
  }
}

/**
 * One HTTP call to a gateway, with the caller's credentials derived from the path and
 * body (a driver posts its own fixes, a customer its own bookings and orders).
 */
export async function call(
  baseUrl: string,
  method: "GET" | "POST" | "PUT",
  path: string,
  body?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const driver = /^\/v1\/drivers\/([^/]+)\//.exec(path)?.[1];
  const auth = driver ? asDriver(driver) : typeof body?.customerId === "string" ? asCustomer(body.customerId) : {};
  const started = performance.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...auth, ...headers, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text();
  return { status: res.status, retryAfter: res.headers.get("retry-after"), json, ms: performance.now() - started };
}

/**
 * Sends until a 2xx, as a client honouring 503 + Retry-After would (waiting `pauseMs`
 * rather than the whole Retry-After, to keep the scenario short); every answer is tallied.
 * Anything but 2xx or 503 is returned at once: the caller counts it as a failure.
 */
export async function untilAccepted(send: () => Promise<Answer>, tally: AnswerTally, pauseMs = 250): Promise<Answer> {
  for (;;) {
    const a = await send().catch((error: Error): Answer => ({ status: 0, retryAfter: null, json: error.message, ms: 0 }));
    tally.record(a);
    if ((a.status >= 200 && a.status < 300) || (a.status !== 503 && a.status !== 0)) return a;
    await Bun.sleep(pauseMs);
  }
}

export const PICKUP = { lat: 12.9716, lng: 77.5946 };

export function bookingRequest(customerId: string, key: string, vehicleType = "sedan") {
  return {
    bookingId: bookingIdForRequest(customerId, key),
    key,
    body: { customerId, pickup: PICKUP, dropoff: { lat: 12.9352, lng: 77.6245 }, vehicleType },
  };
}
