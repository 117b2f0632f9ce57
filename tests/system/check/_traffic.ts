/**
 * Bounded TCP traffic for the check tests, run as its own process (inside a namespace):
 *
 *   _traffic.ts sink ADDR PORT [TTL]         accept connections and read everything, discarding it
 *   _traffic.ts send ADDR PORT BYTES [TTL]   send BYTES to ADDR:PORT, close, and exit 0
 *
 * The sink prints "ready" once it listens. Both end by themselves after TTL seconds (default 30);
 * a sender that runs out of time exits 3.
 */
import net from "node:net";
import process from "node:process";

const [mode, host, portText, a, b] = process.argv.slice(2);
const port = Number(portText);
if (mode === "sink") {
  const server = net.createServer((sock) => {
    sock.on("data", () => {});
    sock.on("error", () => {});
  });
  server.listen({ host, port }, () => process.stdout.write("ready\n"));
  setTimeout(() => process.exit(0), Number(a ?? 30) * 1000);
} else if (mode === "send") {
  const bytes = Number(a);
  setTimeout(() => process.exit(3), Number(b ?? 30) * 1000);
  const sock = net.connect({ host, port }, () => {
    sock.end(new Uint8Array(bytes));
  });
  sock.on("close", () => process.exit(0));
  sock.on("error", (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  });
} else {
  process.stderr.write("usage: _traffic.ts sink|send ADDR PORT ...\n");
  process.exit(2);
}
