/**
 * Network namespaces for tests: a fresh, named namespace with loopback up, removed afterwards
 * together with every process started in it, even when the test fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import process from "node:process";

/** Runs a command, throwing with its stderr when it fails. */
export function sh(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) {
    throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout;
}

/** True when this process may create network namespaces (root with iproute2). */
export function canUseNetns(): boolean {
  const r = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  return r.status === 0 && typeof process !== "undefined" && process.getuid?.() === 0;
}

/** A test namespace: its name, a command prefix to run inside it, and the processes it holds. */
export class Netns {
  readonly name: string;
  readonly children: ChildProcess[] = [];
  constructor(tag: string) {
    this.name = `nsnap-${tag}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
    sh(["ip", "netns", "add", this.name]);
    sh(["ip", "-n", this.name, "link", "set", "lo", "up"]);
  }

  /** The argv prefix that runs a command inside the namespace. */
  get wrap(): string[] {
    return ["ip", "netns", "exec", this.name];
  }

  /** Runs `ip ARGS` inside the namespace. */
  ip(...args: string[]): string {
    return sh(["ip", "-n", this.name, ...args]);
  }

  /** Runs a command inside the namespace and waits for it. */
  exec(...argv: string[]): string {
    return sh([...this.wrap, ...argv]);
  }

  /** Starts a long-running process inside the namespace; it is killed by `close()`. */
  spawn(argv: string[]): ChildProcess {
    const all = [...this.wrap, ...argv];
    const child = spawn(all[0]!, all.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
    });
    this.children.push(child);
    return child;
  }

  /** Kills what the test started and deletes the namespace. */
  close(): void {
    for (const c of this.children) {
      try {
        c.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    // Anything else still inside the namespace (grandchildren) goes too.
    spawnSync("ip", ["netns", "pids", this.name], { encoding: "utf8" }).stdout?.split("\n")
      .filter(Boolean).forEach((pid) => {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch { /* gone */ }
      });
    // A process that is still dying can keep the namespace busy for a moment: try again.
    for (let attempt = 0; attempt < 10; attempt++) {
      if (spawnSync("ip", ["netns", "del", this.name]).status === 0) return;
      if (!spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout?.includes(this.name)) {
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

/** Runs `fn` with a fresh namespace and always removes it afterwards. */
export async function withNetns<T>(tag: string, fn: (ns: Netns) => Promise<T> | T): Promise<T> {
  const ns = new Netns(tag);
  try {
    return await fn(ns);
  } finally {
    ns.close();
  }
}

/** The argv that runs tests/helpers/sockets.ts under the runtime executing the tests. */
export function socketsCommand(specs: string[], ttlSeconds = 60, extra: string[] = []): string[] {
  const script = new URL("./sockets.ts", import.meta.url).pathname;
  const g = globalThis as { Deno?: unknown };
  const head = g.Deno
    ? [process.execPath, "run", "-A", "--quiet", script]
    : [process.execPath, script];
  return [
    ...head,
    "--ttl",
    String(ttlSeconds),
    ...specs,
    ...(extra.length ? ["--", ...extra] : []),
  ];
}

/**
 * Starts a socket holder inside the namespace and waits until its sockets are up; `extra`
 * arguments are ignored by the holder and only appear in its command line.
 */
export function holdSockets(
  ns: Netns,
  specs: string[],
  ttlSeconds = 60,
  extra: string[] = [],
): Promise<ChildProcess> {
  return whenReady(ns.spawn(socketsCommand(specs, ttlSeconds, extra)), "sockets.ts");
}

/** Resolves with the child once it prints "ready"; rejects when it exits first or takes 60 s. */
export function whenReady(child: ChildProcess, what: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    let out = "", err = "";
    const timer = setTimeout(() => reject(new Error(`${what} not ready: ${err}`)), 60_000);
    child.stdout?.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      if (out.includes("ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!out.includes("ready")) reject(new Error(`${what} exited ${code}: ${err}`));
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${what} did not start: ${e.message}`));
    });
  });
}
