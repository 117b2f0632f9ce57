/**
 * Helper process for the churn test, run inside a network namespace: for SECONDS seconds it keeps
 * opening and closing loopback TCP pairs and UDP sockets, and starting short-lived child
 * processes that each hold a connection, so that sockets and their owners appear and vanish
 * while a capture scans /proc. It always ends by itself; prints "ready" once churning.
 *
 *   _churn.ts SECONDS
 */
import net from "node:net";
import dgram from "node:dgram";
import { spawn } from "node:child_process";
import process from "node:process";

const seconds = Math.min(Number(process.argv[2] ?? 20), 120);
const end = Date.now() + seconds * 1000;

const anchor = net.createServer((s) => s.on("error", () => {}));
await new Promise<void>((r) => anchor.listen(0, "127.0.0.1", () => r()));
const anchorPort = (anchor.address() as net.AddressInfo).port;

let pairs = 0, children = 0;
function pairLoop(): void {
  if (Date.now() > end) return;
  const server = net.createServer((s) => s.on("error", () => {}));
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect(port, "127.0.0.1");
    client.on("error", () => {});
    const udp = dgram.createSocket("udp4");
    udp.on("error", () => {});
    udp.bind(0, "127.0.0.1");
    pairs++;
    setTimeout(() => {
      client.destroy();
      udp.close();
      server.close();
    }, 25);
  });
  setTimeout(pairLoop, 5);
}

function childLoop(): void {
  if (Date.now() > end) return;
  // A process that holds a connection for a moment and exits.
  const c = spawn("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${anchorPort}; sleep 0.15`], {
    stdio: "ignore",
  });
  c.on("error", () => {});
  children++;
  setTimeout(childLoop, 40);
}

pairLoop();
childLoop();
process.stdout.write("ready\n");
setTimeout(() => {
  process.stderr.write(`churned ${pairs} socket pairs, ${children} processes\n`);
  process.exit(0);
}, seconds * 1000 + 500);
