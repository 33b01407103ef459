/**
 * Webhook signatures, the way Stripe and GitHub sign theirs, so a receiver can tell a
 * request came from us and was not replayed.
 *
 * Every request carries:
 *   x-fleet-event-id:  the event id; the same on every retry of one notification
 *   x-fleet-timestamp: when this attempt was signed, Unix seconds
 *   x-fleet-signature: sha256=<hex HMAC-SHA256(secret, `${eventId}.${timestamp}.${body}`)>
 *
 * To verify, a receiver takes the raw body bytes as received (before any JSON parsing),
 * recomputes the HMAC over `${eventId}.${timestamp}.${body}` with the shared secret and
 * compares it in constant time; rejects a timestamp more than a few minutes from its
 * clock (a captured request replayed later fails, since the timestamp is inside the
 * signed text); and drops an x-fleet-event-id it has already processed (delivery is
 * at-least-once, so duplicates are normal). verifyWebhookSignature does the first two.
 *
 * The event id is signed because receivers dedupe on it: unsigned, anyone on the path
 * could replay a captured request under a fresh id (processed twice) or swap in an id
 * already seen (silently dropped). Until this change the signed text was
 * `${timestamp}.${body}`; a receiver built against that must add the id to its check.
 *
 * Web Crypto only (crypto.subtle), so the same code runs on Bun, Deno and workers.
 */

export const WEBHOOK_HEADERS = {
  eventId: "x-fleet-event-id",
  timestamp: "x-fleet-timestamp",
  signature: "x-fleet-signature",
} as const;

const PREFIX = "sha256=";
const encoder = new TextEncoder();

/** Imports the secret once; pass the key to sign/verify. */
export function importSigningKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** What one delivery attempt signs: the event id, the attempt's time (Unix seconds) and the raw body. */
export interface SignedParts {
  eventId: string;
  timestamp: number;
  body: string;
}

const signedText = (p: SignedParts) => encoder.encode(`${p.eventId}.${p.timestamp}.${p.body}`);

/** The x-fleet-signature value for one attempt. */
export async function signWebhook(key: CryptoKey, parts: SignedParts): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, signedText(parts));
  return PREFIX + toHex(new Uint8Array(mac));
}

export interface VerifyInput {
  secret: string;
  /** The x-fleet-event-id header as received (null when absent). */
  eventId: string | null;
  /** The raw request body, exactly as received. */
  body: string;
  /** The x-fleet-timestamp and x-fleet-signature headers as received (null when absent). */
  timestamp: string | null;
  signature: string | null;
  /** Largest accepted distance between the timestamp and now. Default 300 s. */
  toleranceS?: number;
  /** Unix ms. Default: the clock. */
  now?: number;
}

/** True when the signature is ours over this event id, timestamp and body, and the timestamp is recent. */
export async function verifyWebhookSignature(input: VerifyInput): Promise<boolean> {
  const { eventId, timestamp, signature } = input;
  if (!eventId || !timestamp || !/^\d+$/.test(timestamp) || !signature?.startsWith(PREFIX)) return false;
  const hex = signature.slice(PREFIX.length);
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const ageS = Math.abs((input.now ?? Date.now()) / 1000 - Number(timestamp));
  if (ageS > (input.toleranceS ?? 300)) return false;
  // subtle.verify compares in constant time.
  const key = await importSigningKey(input.secret);
  return crypto.subtle.verify("HMAC", key, fromHex(hex), signedText({ eventId, timestamp: Number(timestamp), body: input.body }));
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** `hex` is already checked to be 64 lowercase hex digits. */
function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
