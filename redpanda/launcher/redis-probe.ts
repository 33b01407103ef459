import { connect } from "node:net";

const PROBE_TIMEOUT_MS = 1_000;

/**
 * True when a Redis on 127.0.0.1:`port` answers PING with +PONG. A bare RESP exchange
 * rather than a client library: clients reconnect and queue commands, which would hide
 * the "not up yet" this probe exists to see.
 */
export function redisAnswersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
