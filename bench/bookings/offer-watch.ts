import { type Consumer, Kafka, logLevel } from "kafkajs";
import { BOOKING_OFFERED } from "../../shared/events/booking.ts";
import { HEADER_TYPE } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { epochMs } from "./quantiles.ts";

/** The first `booking.offered` seen for a booking. */
export interface FirstOffer {
  wave: number;
  drivers: number;
  /** Epoch ms this consumer received it: what a driver-facing service reading the log would see. */
  seenAt: number;
  /** The record's timestamp (the worker's producer stamps it when it publishes), epoch ms. */
  publishedAt: number;
}

export interface OfferWatch {
  readonly offers: ReadonlyMap<string, FirstOffer>;
  /** Resolves once every id has an offer, or false after `timeoutMs`. */
  waitFor(bookingIds: readonly string[], timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * A plain kafkajs consumer in the bench process, in a group of its own, reading
 * `bookings` from the start and remembering the first offer of each booking. It commits
 * nothing of value and competes with nobody: the workers' groups are untouched. It is
 * joined before any booking is sent, so no offer can slip past it.
 */
export async function watchOffers(brokers: string, runId: string): Promise<OfferWatch> {
  const kafka = new Kafka({ brokers: brokers.split(","), clientId: `bench-bookings-${runId}`, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `bench-bookings-${runId}`, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
  const offers = new Map<string, FirstOffer>();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.bookings, fromBeginning: true });
  let joined!: () => void;
  const joinedNow = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    // Offsets matter to nobody but this run: autocommit keeps the code short.
    eachBatch: async ({ batch }) => {
      const seenAt = epochMs();
      for (const m of batch.messages) {
        if (m.headers?.[HEADER_TYPE]?.toString() !== BOOKING_OFFERED) continue;
        const { data } = JSON.parse(m.value!.toString()) as { data: { bookingId: string; wave: number; driverIds: string[] } };
        if (!offers.has(data.bookingId))
          offers.set(data.bookingId, { wave: data.wave, drivers: data.driverIds.length, seenAt, publishedAt: Number(m.timestamp) });
      }
    },
  });
  let timer: Timer | undefined;
  const gaveUp = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error("offer watcher did not join its group within 30 s")), 30_000)),
  );
  try {
    await Promise.race([joinedNow, gaveUp]);
  } catch (err) {
    await consumer.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    offers,
    async waitFor(ids, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (ids.every((id) => offers.has(id))) return true;
        if (performance.now() > deadline) return false;
        await Bun.sleep(50);
      }
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
