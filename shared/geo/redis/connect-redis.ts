import { RedisClient } from "bun";

/**
 * Bun's RedisClient with the defaults, once its reconnect attempts are used up (about
 * 30 s of outage), fails every command until connect() is called again — and a command
 * sent meanwhile waits in the offline queue all that time. Clients opened here fail
 * fast instead (no offline queue, no background reconnect), and reconnectingSend
 * reconnects on the next command, so a caller's retry is what brings the link back.
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  const client = new RedisClient(url, { autoReconnect: false, enableOfflineQueue: false });
  await client.connect();
  return client;
}

export type Send = (cmd: string, args: string[]) => Promise<unknown>;

/** `client.send`, reconnecting first when the link is down; concurrent callers share one attempt. */
export function reconnectingSend(client: RedisClient): Send {
  let connecting: Promise<void> | undefined;
  const reconnect = () => (connecting ??= client.connect().finally(() => (connecting = undefined)));
  return (cmd, args) => (client.connected ? client.send(cmd, args) : reconnect().then(() => client.send(cmd, args)));
}
