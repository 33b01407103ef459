import { type Admin, Kafka, logLevel } from "kafkajs";

/**
 * True when the broker at `brokers` answers a metadata request naming itself and an
 * active controller: before that, KRaft and Redpanda accept connections but reject topic
 * creation and group joins. One attempt, no kafkajs retries, nothing logged: the caller
 * polls, and "connection refused" is the expected answer while it starts.
 */
export function kafkaAnswers(brokers: string): Promise<boolean> {
  return withProbe(brokers, async (admin) => {
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  });
}

/** True when the cluster reachable at `brokers` (comma-separated) has `count` brokers registered. */
export function clusterHasBrokers(brokers: string, count: number): Promise<boolean> {
  return withProbe(brokers, async (admin) => (await admin.describeCluster()).brokers.length >= count);
}

async function withProbe(brokers: string, ask: (admin: Admin) => Promise<boolean>): Promise<boolean> {
  const admin = new Kafka({
    clientId: "fleetstream-launcher-probe",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return await ask(admin);
  } finally {
    await admin.disconnect();
  }
}
