/**
 * A socket holder for the benchmark, run as its own process inside the bench's namespace:
 *
 *   holder.ts --listen ADDR:PORT [--ttl SECONDS]
 *
 * It listens on ADDR:PORT and reads commands from stdin, one per line:
 *   `hold N`  open connections to its own listener until it holds N pairs (2N sockets), print
 *             `held N` (pairs beyond N are closed, so the count can shrink too);
 * It exits when stdin closes, when the TTL runs out (default 600 s), or when killed, so it always
 * ends by itself even if the benchmark dies.
 */
import net from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";

/** Connections opened at once while growing: enough to be quick, below the listen backlog. */
const BATCH = 256;

function parseArgs(argv: string[]): { host: string; port: number; ttl: number } {
  let listen = "", ttl = 600;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--listen") listen = argv[++i] ?? "";
    else if (argv[i] === "--ttl") ttl = Number(argv[++i]);
    else throw new Error(`Cannot use argument ${argv[i]}: expected --listen or --ttl`);
  }
  const m = /^([0-9.]+):(\d+)$/.exec(listen);
  if (!m || !(ttl > 0)) throw new Error("usage: holder.ts --listen ADDR:PORT [--ttl SECONDS]");
  return { host: m[1]!, port: Number(m[2]), ttl };
}

const { host, port, ttl } = parseArgs(process.argv.slice(2));
const timer = setTimeout(() => process.exit(0), ttl * 1000);
const accepted: net.Socket[] = [];
const clients: net.Socket[] = [];
const server = net.createServer({ noDelay: true }, (sock) => {
  sock.on("error", () => {});
  accepted.push(sock);
});
server.maxConnections = 1_000_000;
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen({ host, port, backlog: 4096 }, () => resolve());
});

function connectOne(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.once("error", reject);
    sock.once("connect", () => {
      sock.off("error", reject);
      sock.on("error", () => {});
      resolve(sock);
    });
  });
}

async function hold(n: number): Promise<void> {
  while (clients.length > n) {
    clients.pop()!.destroy();
    accepted.pop()?.destroy();
  }
  while (clients.length < n) {
    const k = Math.min(BATCH, n - clients.length);
    const batch = await Promise.all(Array.from({ length: k }, connectOne));
    clients.push(...batch);
  }
  // Wait (bounded) until the server side has accepted every pair.
  for (let i = 0; i < 500 && accepted.length < clients.length; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

process.stdout.write("ready\n");
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const m = /^hold (\d+)$/.exec(line.trim());
  if (!m) {
    process.stdout.write(`error: unknown command ${JSON.stringify(line)}\n`);
    continue;
  }
  try {
    await hold(Number(m[1]));
    process.stdout.write(`held ${clients.length} ${accepted.length}\n`);
  } catch (err) {
    process.stdout.write(`error: ${(err as Error).message}\n`);
  }
}
clearTimeout(timer);
process.exit(0);
