import { RedisClient } from "bun";
import { type BackoffPolicy, backoffCeiling } from "../../async/backoff.ts";

/** Reconnects wait 100 ms, doubling per failed attempt up to 5 s. */
const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 5_000 };

export interface ChannelWatcher {
  /** Calls `listener` on each message of `channel` until the returned function is called; resolves once subscribed (or queued for the reconnect). */
  watch(channel: string, listener: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * One subscriber connection per process for every channel its callers watch (a
 * subscribed connection can do nothing else), subscribing a channel on its first
 * listener and leaving it after its last. When the connection drops, it reconnects with
 * backoff, subscribes every channel again and calls every listener once, since messages
 * published meanwhile were lost: a listener's job is to read what it missed.
 */
export function createChannelWatcher(url: string): ChannelWatcher {
  const listeners = new Map<string, Set<() => void>>();
  let client: RedisClient | undefined;
  let connecting: Promise<RedisClient> | undefined;
  let closed = false;
  /** Reconnect attempts failed in a row. */
  let failures = 0;
  const retryMs = () => backoffCeiling(failures, RECONNECT_BACKOFF);

  const dispatch = (_message: string, channel: string) => {
    for (const l of listeners.get(channel) ?? []) l();
  };

  const connect = (): Promise<RedisClient> =>
    (connecting ??= (async () => {
      const c = new RedisClient(url, { autoReconnect: false, enableOfflineQueue: false });
      c.onclose = () => {
        if (client === c) client = undefined;
        if (!closed) setTimeout(reconnect, retryMs()).unref?.();
      };
      await c.connect();
      client = c;
      return c;
    })().finally(() => (connecting = undefined)));

  async function reconnect(): Promise<void> {
    if (closed || client || connecting) return;
    let c: RedisClient | undefined;
    try {
      c = await connect();
      const channels = [...listeners.keys()];
      if (channels.length > 0) await c.subscribe(channels, dispatch);
      failures = 0;
      for (const set of listeners.values()) for (const l of set) l();
    } catch {
      failures++;
      // Its onclose schedules the next attempt; a connect that failed outright has none.
      if (c) c.close();
      else if (!closed) setTimeout(reconnect, retryMs()).unref?.();
    }
  }

  return {
    async watch(channel, listener) {
      let set = listeners.get(channel);
      const first = !set;
      if (!set) listeners.set(channel, (set = new Set()));
      const mine = () => listener();
      set.add(mine);
      if (first) {
        try {
          await (client ?? (await connect())).subscribe(channel, dispatch);
        } catch {
          // Down: the reconnect subscribes every channel with listeners and calls them all.
          void reconnect();
        }
      }
      return async () => {
        set.delete(mine);
        if (set.size > 0 || listeners.get(channel) !== set) return;
        listeners.delete(channel);
        await client?.unsubscribe(channel).catch(() => {});
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      client?.close();
      client = undefined;
    },
  };
}
