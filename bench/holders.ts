/**
 * The socket holders of the benchmark: a few processes inside the namespace, each listening on its
 * own 127.0.0.x address and port and holding a share of the loopback pairs (see holder.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";

/** One running holder and a way to send it a command and wait for its answer. */
export interface Holder {
  child: ChildProcess;
  address: string;
  port: number;
  pairs: number;
}

const HOLDER_SCRIPT = new URL("./holder.ts", import.meta.url).pathname;

/** The argv that runs holder.ts under the runtime running the benchmark. */
function runtimeArgv(): string[] {
  const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  return isDeno
    ? [process.execPath, "run", "-A", "--quiet", HOLDER_SCRIPT]
    : [process.execPath, HOLDER_SCRIPT];
}

/** Waits for the next line from the holder that satisfies `want`, with a deadline. */
function nextLine(h: Holder, want: RegExp, timeoutMs: number): Promise<string> {
  const out = h.child.stdout!;
  return new Promise((resolve, reject) => {
    let buf = "";
    const done = (err: Error | undefined, line?: string) => {
      clearTimeout(timer);
      out.off("data", onData);
      h.child.off("exit", onExit);
      if (err) reject(err);
      else resolve(line!);
    };
    const onData = (d: Uint8Array) => {
      buf += new TextDecoder().decode(d);
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("error")) return done(new Error(`holder ${h.address}: ${line}`));
        if (want.test(line)) return done(undefined, line);
      }
    };
    const onExit = (code: number | null) =>
      done(new Error(`holder ${h.address}:${h.port} exited (${code})`));
    const timer = setTimeout(
      () => done(new Error(`holder ${h.address}:${h.port}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    out.on("data", onData);
    h.child.once("exit", onExit);
  });
}

/**
 * Starts `count` holders inside the namespace (`wrap` is the `ip netns exec NS` prefix), each with
 * its file-descriptor limit raised to the hard limit, and waits until they listen.
 */
export async function startHolders(wrap: string[], count: number, ttl: number): Promise<Holder[]> {
  const holders: Holder[] = [];
  for (let i = 0; i < count; i++) {
    const address = `127.0.0.${i + 2}`, port = 5001 + i;
    const argv = [
      ...wrap,
      "sh",
      "-c",
      'ulimit -n "$(ulimit -Hn)" && exec "$@"',
      "sh",
      ...runtimeArgv(),
      "--listen",
      `${address}:${port}`,
      "--ttl",
      String(ttl),
    ];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
    holders.push({ child, address, port, pairs: 0 });
  }
  await Promise.all(holders.map((h) => nextLine(h, /^ready$/, 60_000)));
  return holders;
}

/** Makes the holders hold `pairs` loopback connections in total, shared out evenly. */
export async function holdPairs(holders: Holder[], pairs: number): Promise<void> {
  const base = Math.floor(pairs / holders.length), extra = pairs % holders.length;
  await Promise.all(holders.map((h, i) => setPairs(h, base + (i < extra ? 1 : 0))));
}

/** Makes one holder hold exactly `pairs` connections (closing some if it holds more). */
export async function setPairs(h: Holder, pairs: number): Promise<void> {
  const answer = nextLine(h, /^held /, 300_000);
  h.child.stdin!.write(`hold ${pairs}\n`);
  const line = await answer;
  const [, clients, accepted] = line.split(" ").map(Number);
  if (clients !== pairs || accepted !== pairs) {
    throw new Error(`holder ${h.address}:${h.port} holds ${line}, wanted ${pairs} pairs`);
  }
  h.pairs = pairs;
}

/** Ends every holder: closing stdin asks it to exit; SIGKILL makes sure. */
export function stopHolders(holders: Holder[]): void {
  for (const h of holders) {
    try {
      h.child.stdin?.end();
      h.child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
}

/**
 * Ends every holder and waits (bounded) until they are gone: their descriptors would otherwise
 * still be in /proc, which every capture on the host scans, idle namespace or not.
 */
export async function stopHoldersAndWait(holders: Holder[], timeoutMs = 10_000): Promise<void> {
  const exited = holders.map((h) =>
    h.child.exitCode !== null || h.child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => h.child.once("exit", () => resolve()))
  );
  stopHolders(holders);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(exited),
    new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
  ]);
  clearTimeout(timer);
}
