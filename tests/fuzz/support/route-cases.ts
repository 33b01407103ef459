import fc from "fast-check";
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from "../../../gateway/auth/auth-settings.ts";
import { mintToken } from "../../../gateway/auth/mint-token.ts";
import type { Role } from "../../../gateway/auth/principal.ts";
import { TEST_JWT_SECRET, tokenFor } from "../../../gateway/auth/testing-auth.ts";
import { CANCELLED_BY } from "../../../shared/events/booking.ts";
import { DRIVER_STATUSES, VEHICLE_TYPES } from "../../../shared/events/driver.ts";

/*
 * The requests the route fuzz test sends: valid bodies for every route, the same with one
 * field changed, broken JSON, junk, oversized bodies, hostile ids, odd headers, methods and
 * query strings. Not a test file; tests/fuzz/routes.fuzz.test.ts states the properties.
 */

/** Fixes are dated relative to the start, so a seed replays the same bodies (the 6 h age window dwarfs the run). */
const NOW = Date.now();

type Headers = [string, string][];
export interface Case {
  method: string;
  path: string;
  headers: Headers;
  body?: string;
}

// --- adversarial atoms -------------------------------------------------------

const KB10 = "x".repeat(10 * 1024);

/** Values a field should never accept, or accept only at its edges: JSON cannot carry NaN, so those come in raw mutations. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      1e308,
      -1e308,
      -0,
      5e-324,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 64,
      -1,
      0,
      90.000001,
      -180.5,
      361,
      100_001,
      1.5,
      201,
      501,
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      "",
      " ",
      "😀",
      "\u202Eabc\u202C",
      "a\u0000b",
      KB10,
      "../../etc/passwd",
      "%2e%2e%2f",
      "12.5",
      "true",
      "null",
      "sedan ",
      "SEDAN",
      "2024-13-45T99:99:99Z",
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [1, 2], { lat: 1 }, ["sedan"]) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
);

/** Ids in a path: mostly valid so the body validators run, otherwise hostile. */
const hostileId = fc.oneof(
  fc.constantFrom(
    "",
    "😀",
    "\u202Ed-1",
    "a\u0000b",
    KB10,
    "../../etc/passwd",
    "..",
    ".",
    "%2e%2e%2f",
    "%00",
    "%",
    "%zz",
    "%E0%A4%A",
    "a%2Fb",
    "a b",
    "a?b=c",
    "a#frag",
    "ñandú",
    "9".repeat(400),
    "nearby",
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
);

/** Lone surrogates make encodeURIComponent throw; such an id is then sent raw, which the URL parser escapes itself. */
function encodeSegment(s: string, encode: boolean): string {
  if (!encode) return s;
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}

const pathId = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.oneof({ weight: 5, arbitrary: valid }, { weight: 2, arbitrary: hostileId }), fc.boolean())
    .map(([id, encode]) => encodeSegment(id, encode));

const simpleId = fc.oneof(fc.constantFrom("d-1", "driver_42", "X"), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/));
const CUSTOMER = "cust-1";
const DRIVER = "d-1";
/** Mostly where the geo index reaches, sometimes at or beyond its ±85.05° edge (the gateway must refuse what a worker cannot apply). */
const lat = fc.oneof(
  { weight: 12, arbitrary: fc.double({ min: -85, max: 85, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(85.05112878, -85.05112878, 85.06, -85.1, 89.99, -90, 90) },
);
const lng = fc.double({ min: -180, max: 180, noNaN: true });
/** Free text as people type it, and now and then with a control character a worker's schema refuses. */
const freeText = fc.oneof(
  { weight: 12, arbitrary: fc.string({ minLength: 1, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("Gate\u00002", "Dock\u001b[31m3", "tab\there", "two\nlines", "del\u007f", "\u0085next") },
);
const place = fc.record({ lat, lng, address: freeText }, { requiredKeys: ["lat", "lng"] });
const vehicleType = fc.constantFrom(...VEHICLE_TYPES);

// --- valid bodies, per route -------------------------------------------------

/**
 * The instant `ms` written with a UTC offset: the full ±HH:MM form every parser reads the same, and
 * spellings valibot's isoTimestamp lets through but Date.parse reads as NaN or per runtime (+05, +0530, a space).
 */
const timeSpelling = fc.oneof(
  { weight: 10, arbitrary: fc.constant((ms: number) => new Date(ms).toISOString()) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(330, -300, 0, 345, 60), fc.constantFrom("+HH:MM", "+HH", "+HHMM", " sep"))
      .map(([minutes, form]) => (ms: number) => {
        const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 19);
        const sign = minutes < 0 ? "-" : "+";
        const hh = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0");
        const mm = String(Math.abs(minutes) % 60).padStart(2, "0");
        if (form === "+HH") return `${local}${sign}${hh}`;
        if (form === "+HHMM") return `${local}${sign}${hh}${mm}`;
        if (form === " sep") return `${local.replace("T", " ")}${sign}${hh}:${mm}`;
        return `${local}${sign}${hh}:${mm}`;
      }),
  },
);

const fix = fc.record(
  {
    lat,
    lng,
    recordedAt: fc.tuple(fc.integer({ min: -5 * 3600, max: 20 }), timeSpelling).map(([s, spell]) => spell(NOW + s * 1000)),
    speed: fc.double({ min: 0, max: 150, noNaN: true }),
    heading: fc.double({ min: 0, max: 360, noNaN: true }),
    accuracy: fc.double({ min: 0, max: 100_000, noNaN: true }),
  },
  { requiredKeys: ["lat", "lng", "recordedAt"] },
);
const locationsBody = fc.record({ fixes: fc.array(fix, { minLength: 1, maxLength: 4 }) });
const statusBody = fc.record({ status: fc.constantFrom(...DRIVER_STATUSES), vehicleType });
// The customer and the accepting driver are the callers (CUSTOMER, DRIVER below); naming them in the body is optional.
const bookingBody = fc.record(
  { customerId: fc.constant(CUSTOMER), pickup: place, dropoff: place, vehicleType },
  { requiredKeys: ["pickup", "dropoff", "vehicleType"] },
);
const orderBody = fc.record(
  {
    customerId: fc.constant(CUSTOMER),
    pickup: place,
    dropoff: place,
    trucks: fc.array(fc.record({ vehicleType, quantity: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ["pickup", "dropoff", "trucks"] },
);
// Never empty, so a mutation always has a field to hit.
const acceptBody = fc.record({ driverId: fc.constant(DRIVER) });
const cancelBody = fc.record({ by: fc.constantFrom(...CANCELLED_BY), reason: freeText }, { requiredKeys: ["by"] });

// --- body mutations ----------------------------------------------------------

type Json = unknown;
type Path = (string | number)[];

/** Every node's path, root excluded, so a mutation can hit a nested field as easily as a top-level one. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function mutate(valid: Json, pick: number, how: "set" | "delete" | "extra", weird: unknown): Json {
  const copy = structuredClone(valid) as Record<string | number, unknown>;
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length]!;
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how === "set") parent[last] = weird;
  else if (how === "delete") Array.isArray(parent) ? parent.splice(last as number, 1) : delete parent[last];
  else if (typeof parent === "object" && !Array.isArray(parent)) parent[`x${pick % 7}`] = weird;
  else parent[last] = { ...(parent[last] as object), extra: weird };
  return copy;
}

/** JSON that JSON.stringify cannot produce: broken syntax, non-JSON number literals, duplicate keys. */
const rawMutation = (text: string) =>
  fc.oneof(
    fc.nat(text.length).map((n) => text.slice(0, n)),
    fc.constantFrom("x", "}", ",", "\u0000", " garbage", "{}", "]").map((g) => text + g),
    fc
      .constantFrom(
        "NaN",
        "Infinity",
        "-Infinity",
        "-0",
        "1e999",
        "0x10",
        "01",
        "123456789012345678901234567890123456789",
        "4.9e-325",
        "+1",
        ".5",
      )
      .map((lit) => text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/, lit)),
    fc
      .tuple(fc.constantFrom("vehicleType", "customerId", "status", "fixes", "driverId", "by", "trucks", "lat"), weirdValue)
      .map(([k, w]) => text.replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify(w) ?? "null"},`)),
    fc
      .tuple(fc.constantFrom("vehicleType", "customerId", "status", "fixes", "driverId", "by", "trucks"), weirdValue)
      .map(([k, w]) => text.replace(/\}$/, `,${JSON.stringify(k)}:${JSON.stringify(w) ?? "null"}}`)),
  );

const junkBody = fc.oneof(
  fc.constantFrom(64, 3000, 50_000).map((d) => "[".repeat(d) + "]".repeat(d)),
  fc.constantFrom(64, 3000).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
  fc.constantFrom("", "null", "[]", "{}", "0", '"x"', "true", "\uFEFF{}", "{'a':1}", '{"a":1,}'),
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: "binary", maxLength: 200 }),
);

/** A route's body: valid, one field changed, syntactically broken, junk, or too large. */
function bodyOf(valid: fc.Arbitrary<Json>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((b) => JSON.stringify(b)) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.constantFrom("set", "set", "delete", "extra") as fc.Arbitrary<"set" | "delete" | "extra">, weirdValue)
        .map(([b, pick, how, w]) => JSON.stringify(mutate(b, pick, how, w)) ?? "null"),
    },
    { weight: 2, arbitrary: valid.chain((b) => rawMutation(JSON.stringify(b))) },
    { weight: 1, arbitrary: junkBody },
    { weight: 1, arbitrary: valid.map((b) => " ".repeat(300 * 1024) + JSON.stringify(b)) },
  );
}

// --- headers and query strings -----------------------------------------------

/** What a raw HTTP server would see for a UTF-8 header value: its bytes as Latin-1 (fetch refuses anything above U+00FF). */
const asLatin1 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Headers>([["content-type", "application/json"]]) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Headers>(
      [],
      [["content-type", "text/plain"]],
      [["content-type", "application/json; charset=utf-16"]],
      [["content-type", "multipart/form-data; boundary=x"]],
      [["content-type", "application/x-www-form-urlencoded"]],
      [["content-type", ";;;"]],
      [
        ["content-type", "application/json"],
        ["content-type", "text/html"],
      ],
    ),
  },
);

const extraHeaders = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Headers>([]) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Headers>(
      [["x-junk", "v".repeat(64 * 1024)]],
      [["x-junk", asLatin1("😀 \u202Eرجل")]],
      [["x-😀", "1"]],
      [["content-length", "1"]],
      [["x-request-id", "../../etc/passwd"]],
      [["x-request-id", "r".repeat(129)]],
      [["x-request-id", "r".repeat(255)]],
      [["x-request-id", "ok_id-=128".padEnd(128, "x")]],
      [["accept", "application/xml"]],
      [["transfer-encoding", "chunked"]],
    ),
  },
);

const idemKeys = ["k-1", "k-2", "k-3", "order-7", "a", "Z".repeat(255)];
const idempotencyKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...idemKeys).map<Headers>((k) => [["idempotency-key", k]]) },
  { weight: 2, arbitrary: fc.uuid().map<Headers>((k) => [["idempotency-key", k]]) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Headers>(
      [],
      [["idempotency-key", ""]],
      [["idempotency-key", "has a space"]],
      [["idempotency-key", "k".repeat(256)]],
      [
        ["idempotency-key", "k-1"],
        ["idempotency-key", "k-1"],
      ],
      [
        ["idempotency-key", "k-1"],
        ["idempotency-key", "k-2"],
      ],
      [["idempotency-key", asLatin1("ключ")]],
      [["idempotency-key", "k\u0001"]],
    ),
  },
);

const queryValue = fc.oneof(
  fc.constantFrom(
    "",
    "0",
    "-0",
    "1e400",
    "0x10",
    "NaN",
    "Infinity",
    "12.97",
    "77.59",
    "-91",
    "5000",
    "50001",
    "100",
    "101",
    "sedan",
    "rocket",
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00+05",
    "2024-01-01T05:30:00+0530",
    "2024-01-01 00:00:00Z",
    "2026-02-30T00:00:00Z",
    "9".repeat(400),
    "%zz",
    "%00",
    "😀",
    KB10,
  ),
  fc.double().map(String),
  fc.string({ maxLength: 20 }),
);

function queryOf(names: readonly string[]): fc.Arbitrary<string> {
  const pair = fc.tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
    queryValue,
    fc.boolean(),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(pair, { maxLength: 7 })
        .map((ps) => (ps.length ? `?${ps.map(([k, v, enc]) => `${encodeSegment(k, enc)}=${encodeSegment(v, enc)}`).join("&")}` : "")),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((s) => `?${s}`) },
  );
}

const validNearbyQuery = fc
  .record({ lat, lng, vehicleType })
  .map((q) => `?lat=${q.lat.toFixed(5)}&lng=${q.lng.toFixed(5)}&vehicleType=${q.vehicleType}`);

// --- credentials -----------------------------------------------------------------

const bearer = (token: string): Headers => [["authorization", `Bearer ${token}`]];
const as = (role: Role, sub: string) => bearer(tokenFor({ role, sub }));
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const signed = { secret: TEST_JWT_SECRET, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE, ttlS: 3600 };
const [, validPayload, validSignature] = tokenFor({ role: "driver", sub: DRIVER }).split(".");

/** Credentials that must never get a request past authentication or authorization. */
const badAuth = fc.constantFrom<Headers>(
  [],
  [["authorization", "Bearer"]],
  [["authorization", "Basic dXNlcjpwYXNz"]],
  [["authorization", "Bearer not.a.jwt"]],
  [["authorization", `Bearer ${"a".repeat(8 * 1024)}`]],
  bearer(mintToken({ role: "driver", sub: DRIVER }, { ...signed, ttlS: -60 })),
  bearer(mintToken({ role: "driver", sub: DRIVER }, { ...signed, secret: "another-secret-another-secret-another" })),
  bearer(mintToken({ role: "driver", sub: DRIVER }, { ...signed, audience: "someone-else" })),
  bearer(`${b64url({ alg: "none", typ: "JWT" })}.${validPayload}.`),
  bearer(`${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ role: "operator", sub: DRIVER })}.${validSignature}`),
  as("driver", "someone-else"),
  as("customer", "cust-2"),
  as("operator", "ops-1"),
);

/** Mostly the route's own caller, so requests reach validation; otherwise none, a broken one or a foreign one. */
const authAs = (headers: Headers) => fc.oneof({ weight: 9, arbitrary: fc.constant(headers) }, { weight: 1, arbitrary: badAuth });

/** The id a path segment decodes to, which is what the route compares with the token's sub. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// --- route cases ---------------------------------------------------------------

const post = (
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<string>,
  auth: fc.Arbitrary<Headers>,
  method = "POST",
  extra: fc.Arbitrary<Headers> = fc.constant([]),
) =>
  fc
    .tuple(path, body, contentType, extra, extraHeaders, auth)
    .map(([p, b, ct, ex, xh, au]): Case => ({ method, path: p, body: b, headers: [...ct, ...ex, ...xh, ...au] }));

const get = (path: fc.Arbitrary<string>, auth: fc.Arbitrary<Headers>) =>
  fc
    .tuple(path, queryOf(["x"]), extraHeaders, auth)
    .map(([p, q, xh, au]): Case => ({ method: "GET", path: p + q, headers: [...xh, ...au] }));

const bookingId = pathId(fc.uuid());
const driverId = pathId(simpleId);
/** A driver's own route, called mostly with that driver's token. */
const ownDriverRoute = (suffix: string, body: fc.Arbitrary<string>, method: string) =>
  driverId.chain((d) => post(fc.constant(`/v1/drivers/${d}${suffix}`), body, authAs(as("driver", decoded(d))), method));
const asCustomer = authAs(as("customer", CUSTOMER));
const asDriver = authAs(as("driver", DRIVER));

const routeCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 6, arbitrary: ownDriverRoute("/locations", bodyOf(locationsBody), "POST") },
  { weight: 4, arbitrary: ownDriverRoute("/status", bodyOf(statusBody), "PUT") },
  { weight: 6, arbitrary: post(fc.constant("/v1/bookings"), bodyOf(bookingBody), asCustomer, "POST", idempotencyKey) },
  { weight: 6, arbitrary: post(fc.constant("/v1/orders"), bodyOf(orderBody), asCustomer, "POST", idempotencyKey) },
  {
    weight: 3,
    arbitrary: post(
      bookingId.map((b) => `/v1/bookings/${b}/accept`),
      bodyOf(acceptBody),
      asDriver,
    ),
  },
  {
    weight: 3,
    arbitrary: post(
      bookingId.map((b) => `/v1/bookings/${b}/cancel`),
      bodyOf(cancelBody),
      fc.oneof(asCustomer, asDriver),
    ),
  },
  {
    weight: 2,
    arbitrary: post(
      fc.tuple(bookingId, fc.constantFrom("start", "complete", "arrive")).map(([b, a]) => `/v1/bookings/${b}/${a}`),
      fc.oneof(junkBody, fc.constant("")),
      asDriver,
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.oneof(validNearbyQuery, queryOf(["lat", "lng", "vehicleType", "radiusM", "limit"])), extraHeaders, asCustomer)
      .map(([q, xh, au]): Case => ({ method: "GET", path: `/v1/drivers/nearby${q}`, headers: [...xh, ...au] })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(validNearbyQuery, queryOf(["lat", "lng", "vehicleType"])), extraHeaders, fc.oneof(asCustomer, asDriver))
      .map(([q, xh, au]): Case => ({ method: "GET", path: `/v1/surge${q}`, headers: [...xh, ...au] })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(driverId, queryOf(["from", "to", "limit", "cursor"]), extraHeaders)
      .chain(([d, q, xh]) =>
        authAs(as("driver", decoded(d))).map(
          (au): Case => ({ method: "GET", path: `/v1/drivers/${d}/trail${q}`, headers: [...xh, ...au] }),
        ),
      ),
  },
  { weight: 2, arbitrary: driverId.chain((d) => get(fc.constant(`/v1/drivers/${d}`), authAs(as("driver", decoded(d))))) },
  {
    weight: 2,
    arbitrary: get(
      bookingId.map((b) => `/v1/bookings/${b}`),
      fc.oneof(asCustomer, asDriver),
    ),
  },
  {
    weight: 2,
    arbitrary: get(
      bookingId.map((o) => `/v1/orders/${o}`),
      asCustomer,
    ),
  },
  {
    weight: 2,
    arbitrary: post(
      bookingId.map((o) => `/v1/orders/${o}/cancel`),
      fc.oneof(junkBody, fc.constant("")),
      asCustomer,
    ),
  },
  { weight: 2, arbitrary: get(fc.constantFrom("/healthz", "/readyz", "/metrics"), authAs(as("operator", "ops-1"))) },
  {
    weight: 1,
    arbitrary: get(
      fc.oneof(
        fc.constantFrom("/", "//v1/bookings", "/v1/drivers//locations", "/v1/../v1/bookings", "/V1/BOOKINGS", "/v1/bookings/"),
        fc.string({ maxLength: 30 }).map((s) => `/v1/${s}`),
      ),
      asDriver,
    ),
  },
);

/** A route hit with the wrong method; fetch forbids a body on GET and HEAD, so theirs is dropped. */
const oddMethodCase = fc
  .tuple(routeCase, fc.constantFrom("PATCH", "DELETE", "OPTIONS", "HEAD", "GET", "PUT", "POST", "FOO", "get", "post"))
  .map(([c, method]): Case => {
    const bodiless = ["GET", "HEAD"].includes(method.toUpperCase());
    return { ...c, method, body: bodiless ? undefined : (c.body ?? "") };
  });

export const anyCase = fc.oneof({ weight: 9, arbitrary: routeCase }, { weight: 1, arbitrary: oddMethodCase });
