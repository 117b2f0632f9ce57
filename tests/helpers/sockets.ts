/**
 * A small socket holder for tests, run as its own process (often inside a network namespace):
 *
 *   sockets.ts [--ttl SECONDS] SPEC... [-- IGNORED...]
 *   SPEC: listen:ADDR:PORT   a TCP listener (accepts and holds connections)
 *         udp:ADDR:PORT      a bound UDP socket
 *         connect:ADDR:PORT[:N]  N TCP connections to ADDR:PORT (default 1)
 *
 * Arguments after `--` are ignored: they only show up in the process's command line (tests of
 * `--cmdline` masking put fake secrets there). ADDR may be IPv6 in brackets ([::1]). Prints "ready" once every socket is up, then holds them
 * until the TTL (default 60 s) runs out or it is killed: it always ends by itself.
 */
import net from "node:net";
import dgram from "node:dgram";
import process from "node:process";

function split(spec: string): { kind: string; host: string; port: number; n: number } {
  const m = /^(\w+):(\[[^\]]+\]|[^:]+):(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`bad spec ${spec}`);
  return {
    kind: m[1]!,
    host: m[2]!.replace(/^\[|\]$/g, ""),
    port: Number(m[3]),
    n: Number(m[4] ?? 1),
  };
}

const argv = process.argv.slice(2);
let ttl = 60;
const specs: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--") break;
  if (argv[i] === "--ttl") ttl = Number(argv[++i]);
  else specs.push(argv[i]!);
}
const held: unknown[] = [];
for (const spec of specs) {
  const { kind, host, port, n } = split(spec);
  if (kind === "listen") {
    const server = net.createServer((sock) => held.push(sock));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port, ipv6Only: host.includes(":") }, () => resolve());
    });
    held.push(server);
  } else if (kind === "udp") {
    const sock = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.bind(port, host, () => resolve());
    });
    held.push(sock);
  } else if (kind === "connect") {
    for (let k = 0; k < n; k++) {
      const sock = net.connect({ host, port });
      await new Promise<void>((resolve, reject) => {
        sock.once("error", reject);
        sock.once("connect", () => resolve());
      });
      held.push(sock);
    }
  } else {
    throw new Error(`unknown kind ${kind}`);
  }
}
process.stdout.write("ready\n");
setTimeout(() => process.exit(0), ttl * 1000);
