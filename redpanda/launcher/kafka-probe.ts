import { Kafka, logLevel } from "kafkajs";

/**
 * True when the broker at `brokers` answers a metadata request naming itself and an
 * active controller: before that, KRaft and Redpanda accept connections but reject topic
 * creation and group joins. One attempt, no kafkajs retries, nothing logged: the caller
 * polls, and "connection refused" is the expected answer while it starts.
 */
export async function kafkaAnswers(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "fleetstream-launcher-probe",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } finally {
    await admin.disconnect();
  }
}
