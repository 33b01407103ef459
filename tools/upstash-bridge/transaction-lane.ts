import type { Send } from "../../shared/geo/redis/connect-redis.ts";

/**
 * MULTI/EXEC on a connection of its own (a MULTI on the shared, auto-pipelined
 * connection would swallow other requests' commands). Transactions run one after
 * another, so two requests never interleave inside one MULTI. Resolves with EXEC's
 * per-command outcomes; rejects when Redis aborts the transaction (a command that
 * could not be queued → EXECABORT).
 */
export interface TransactionLane {
  run(commands: string[][]): Promise<unknown[]>;
}

export function createTransactionLane(send: Send): TransactionLane {
  let tail: Promise<unknown> = Promise.resolve();
  const exec = async (commands: string[][]): Promise<unknown[]> => {
    // Sent in one tick, so they leave in one write; queueing errors resurface as EXECABORT.
    const sent = [send("MULTI", []), ...commands.map(([cmd, ...args]) => send(cmd!, args)), send("EXEC", [])];
    const settled = await Promise.allSettled(sent);
    const execReply = settled[settled.length - 1]!;
    if (execReply.status === "rejected") throw execReply.reason;
    return execReply.value as unknown[];
  };
  return {
    run(commands) {
      const next = tail.then(() => exec(commands));
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
