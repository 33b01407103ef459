import { connectRedis } from "../../shared/geo/redis/connect-redis.ts";
import { type RateResult, rateLoop } from "./rate-loop.ts";

export interface Member {
  id: string;
  lat: number;
  lng: number;
}

/**
 * Ceiling (c): Redis batched GEOADD from Bun's RedisClient, `perCommand` members per
 * command, 4 commands in flight, into one scratch key deleted afterwards. The commands
 * are built before the clock starts, so this is Redis's cost (plus the client's I/O),
 * not argument building. Resolves with members/s.
 */
export async function measureGeoadd(opts: {
  url: string;
  members: readonly Member[];
  perCommand: number;
  seconds: number;
}): Promise<RateResult> {
  const client = await connectRedis(opts.url);
  const key = `bench:ceiling:geoadd:${crypto.randomUUID()}`;
  const commands: string[][] = [];
  for (let i = 0; i < opts.members.length; i += opts.perCommand) {
    const args = [key];
    for (const m of opts.members.slice(i, i + opts.perCommand)) args.push(String(m.lng), String(m.lat), m.id);
    commands.push(args);
  }
  let next = 0;
  try {
    return await rateLoop({
      seconds: opts.seconds,
      inFlight: 4,
      step: async () => {
        const args = commands[next++ % commands.length]!;
        await client.send("GEOADD", args);
        return (args.length - 1) / 3;
      },
    });
  } finally {
    await client.send("UNLINK", [key]);
    client.close();
  }
}
