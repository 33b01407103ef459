import { createServer, type Server } from "node:net";

/**
 * `count` distinct ports the OS considers free on 127.0.0.1 right now. All listeners are
 * held open until every port is known, so the ports differ from each other; another
 * process could still take one before the service binds it, which is rare enough for
 * dev and tests (and fails loudly at start-up).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnAnyPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function listenOnAnyPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") resolve(address.port);
      else reject(new Error("listening socket has no port"));
    });
  });
}
