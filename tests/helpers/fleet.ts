/**
 * A fleet of hosts for tests, on one machine: each host is a network namespace reached over a
 * veth pair from the root namespace, with its own sshd (key authentication only) on its veth
 * address, and its own UTS, mount and PID namespaces, so that `hostname`, /srv, /run,
 * /etc/machine-id and the process list are the host's own, as on separate machines. Ansible,
 * ssh and nsnap then see it as a fleet; `close()` removes all of it, even when the test fails.
 *
 * Layout of host i (of a random free block, so parallel runs do not collide):
 *   10.201.A.B/30: root side .B+1 on veth `nf<pid>-<n><i>`, host side .B+2 on its `eth0`;
 *   no default route (nothing leaves the machine; DNS fails at once rather than timing out)
 *   sshd: `-D -e -f DIR/<name>/sshd_config`, HostKey and AuthorizedKeysFile in DIR (ssh-keygen)
 *   mounts (private to the host): tmpfs on /srv and /run, a bind of its own /etc/machine-id,
 *   a /proc of its PID namespace; the rest of the file system is the machine's (python3, ssh)
 *
 * Decisions:
 * - A PID namespace per host: a capture on the host lists only that host's processes, and pids
 *   are as that host sees them (`FleetHost.innerPid()` maps a machine pid to it).
 * - Its own /etc/machine-id: nsnap pairs fleet snapshots by machine id first, and the machine's
 *   one file would make three hosts one.
 * - known_hosts is written from the generated host keys: no host key checking is switched off.
 *
 * @example
 * ```ts
 * import { fleetSkip, withFleet } from "./fleet.ts";
 * if (!fleetSkip()) {
 *   await withFleet(["web-1", "web-2"], (fleet) => {
 *     const r = fleet.ssh(fleet.hosts[0]!, "hostname");
 *     return r.stdout.trim(); // "web-1"
 *   });
 * }
 * ```
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { randomBytes } from "node:crypto";
import { Netns, sh } from "./netns.ts";

const SSHD = "/usr/sbin/sshd";
const TOOLS = ["ip", "unshare", "nsenter", "ssh", "ssh-keygen", "mount"];

/** Why a fleet cannot be made here, or `false` when it can: for node:test's `skip`. */
export function fleetSkip(): string | false {
  if (process.platform !== "linux") return "a fleet needs Linux namespaces";
  if (process.getuid?.() !== 0) return "a fleet needs root (namespaces, veths, mounts)";
  if (!existsSync(SSHD)) return `${SSHD} is missing (Debian's openssh-server)`;
  for (const tool of TOOLS) {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    if (r.status !== 0) return `${tool} is missing (iproute2, util-linux, openssh-client)`;
  }
  return false;
}

let fleets = 0;

/** Runs a command, returning its exit code and output (never throws). */
function run(argv: string[], input?: string) {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Resolves once a TCP connection to host:port succeeds; rejects after `waitMs`. */
async function waitForPort(host: string, port: number, waitMs: number, why: () => string) {
  const until = Date.now() + waitMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port, timeout: 1_000 });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
      s.once("timeout", () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`Cannot reach sshd on ${host}:${port}: ${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The 10.201.0.0/16 addresses already on the machine's interfaces, as numbers. */
function usedBlocks(): Set<number> {
  const out = run(["ip", "-o", "-4", "addr", "show"]).stdout;
  const used = new Set<number>();
  for (const m of out.matchAll(/inet 10\.201\.(\d+)\.(\d+)\//g)) {
    used.add((Number(m[1]) * 256 + Number(m[2])) >> 2);
  }
  return used;
}

/** Picks `n` consecutive free /30 blocks of 10.201.0.0/16 at random. */
function pickBlocks(n: number): number[] {
  const used = usedBlocks();
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = Math.floor(Math.random() * (16384 - n));
    const blocks = Array.from({ length: n }, (_, i) => first + i);
    if (blocks.every((b) => !used.has(b))) return blocks;
  }
  throw new Error("Cannot find free addresses in 10.201.0.0/16 for a fleet");
}

function address(block: number, offset: number): string {
  const n = block * 4 + offset;
  return `10.201.${n >> 8}.${n & 255}`;
}

/** One host of a fleet. */
export class FleetHost {
  readonly children: ChildProcess[] = [];
  /** The machine pid of the host's sshd, the first process of its PID namespace (0 until then). */
  pid = 0;

  constructor(
    /** The inventory name, also the host's hostname. */
    readonly name: string,
    /** The host's address (its end of the veth pair), where its sshd listens on port 22. */
    readonly address: string,
    /** The machine's end of the veth pair (the host reaches only this address and its own). */
    readonly gateway: string,
    /** The veth on the machine's side. */
    readonly veth: string,
    /** The host's network namespace. */
    readonly netns: Netns,
    /** The host's /etc/machine-id (absent when the machine has none to cover). */
    readonly machineId: string | undefined,
  ) {}

  /** The host's own pid of a process, from the machine's pid (the last NSpid entry). */
  innerPid(machinePid: number): number {
    const status = readFileSync(`/proc/${machinePid}/status`, "utf8");
    const ns = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/);
    return Number(ns?.[ns.length - 1] ?? machinePid);
  }

  /** The argv prefix that runs a command on the host (all its namespaces). */
  get wrap(): string[] {
    return ["nsenter", "-t", String(this.pid), "-n", "-u", "-m", "-p", "--"];
  }

  /** The host's files as seen from the machine (its /srv is `${root}/srv`). */
  get root(): string {
    return `/proc/${this.pid}/root`;
  }

  /** Runs a command on the host and returns its stdout; throws when it fails. */
  exec(...argv: string[]): string {
    return sh([...this.wrap, ...argv]);
  }

  /** Starts a long-running process on the host; it ends when the fleet closes. */
  spawn(argv: string[]): ChildProcess {
    const all = [...this.wrap, ...argv];
    const child = spawn(all[0]!, all.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    this.children.push(child);
    return child;
  }

  /** The machine pids of the host's processes (every process in its PID namespace). */
  pids(): number[] {
    const ns = (pid: number) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`);
      } catch {
        return undefined; // exited
      }
    };
    const mine = ns(this.pid);
    return run(["ip", "netns", "pids", this.netns.name]).stdout.split("\n").filter(Boolean)
      .map(Number).filter((p) => mine !== undefined && ns(p) === mine);
  }
}

/** Options for a fleet. */
export interface FleetOptions {
  /** A tag for names (default "fleet"). */
  tag?: string;
}

/** N hosts in namespaces with sshd, a shared client key and known_hosts; see the file header. */
export class Fleet {
  readonly hosts: FleetHost[] = [];
  /** Where keys, configs and logs live (removed by `close()`). */
  readonly dir: string;
  /** The client's private key, authorized on every host for root. */
  readonly key: string;
  /** A known_hosts file with every host's key under its address. */
  readonly knownHosts: string;
  readonly #sshd: ChildProcess[] = [];
  readonly #logs = new Map<string, string>();

  private constructor(dir: string) {
    this.dir = dir;
    this.key = join(dir, "id_ed25519");
    this.knownHosts = join(dir, "known_hosts");
  }

  /** Starts one host per name (hostnames are the names) and waits until each sshd answers. */
  static async start(names: string[], opts: FleetOptions = {}): Promise<Fleet> {
    removeStaleFleets();
    const dir = mkdtempSync(join(tmpdir(), "nsnap-fleet-"));
    const fleet = new Fleet(dir);
    try {
      await fleet.#startAll(names, opts.tag ?? "fleet");
      return fleet;
    } catch (e) {
      fleet.close();
      throw e;
    }
  }

  async #startAll(names: string[], tag: string): Promise<void> {
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nsnap-test-client", "-f", this.key]);
    const authorized = join(this.dir, "authorized_keys");
    writeFileSync(authorized, readFileSync(`${this.key}.pub`), { mode: 0o600 });
    const blocks = pickBlocks(names.length);
    const seq = fleets++;
    const known: string[] = [];
    const waits: Promise<void>[] = [];
    for (const [i, name] of names.entries()) {
      const hostDir = join(this.dir, name);
      mkdirSync(hostDir, { mode: 0o700 });
      const hostKey = join(hostDir, "ssh_host_ed25519_key");
      sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", hostKey]);
      const gateway = address(blocks[i]!, 1), addr = address(blocks[i]!, 2);
      known.push(
        `${addr} ${readFileSync(`${hostKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}`,
      );
      const machineId = existsSync("/etc/machine-id") ? randomBytes(16).toString("hex") : undefined;
      const idFile = join(hostDir, "machine-id");
      writeFileSync(idFile, `${machineId ?? ""}\n`);
      const config = join(hostDir, "sshd_config");
      writeFileSync(config, sshdConfig(addr, hostKey, authorized));

      const ns = new Netns(`${tag}${i}`);
      const veth = `nf${process.pid}-${seq % 10}${i}`;
      // Registered now, so that close() removes it whatever fails next.
      this.hosts.push(new FleetHost(name, addr, gateway, veth, ns, machineId));
      sh(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns.name]);
      sh(["ip", "addr", "add", `${gateway}/30`, "dev", veth]);
      sh(["ip", "link", "set", veth, "up"]);
      ns.ip("addr", "add", `${addr}/30`, "dev", "eth0");
      ns.ip("link", "set", "eth0", "up");
      // No default route: nothing a host sends can leave the machine, and name lookups fail
      // at once instead of timing out.

      const script = [
        "set -e",
        'hostname "$1"',
        "mkdir -p /srv",
        "mount -t tmpfs -o size=2g,mode=0755 nsnap-srv /srv",
        "mount -t tmpfs -o mode=0755 nsnap-run /run",
        "mkdir -p /run/sshd",
        'if [ -e /etc/machine-id ]; then mount --bind "$2" /etc/machine-id; fi',
        'exec /usr/sbin/sshd -D -e -f "$3"',
      ].join("\n");
      const child = spawn("ip", [
        "netns",
        "exec",
        ns.name,
        "unshare",
        "--uts",
        "--mount",
        "--pid",
        "--fork",
        "--mount-proc",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
        name,
        idFile,
        config,
      ], { stdio: ["ignore", "ignore", "pipe"] });
      this.#sshd.push(child);
      ns.children.push(child);
      this.#logs.set(name, "");
      child.stderr?.on("data", (d: Uint8Array) => {
        this.#logs.set(name, (this.#logs.get(name) ?? "") + new TextDecoder().decode(d));
      });
      waits.push(waitForPort(addr, 22, 15_000, () => this.#logs.get(name) || "no output"));
    }
    writeFileSync(this.knownHosts, known.join("\n") + "\n");
    this.#writeOwner();
    await Promise.all(waits);
    // Now that every sshd listens, find each one's machine pid (the init of the host's PID ns).
    for (const host of this.hosts) host.pid = findSshd(host.netns.name);
    this.#writeOwner();
  }

  /** Records what to remove should this process die before `close()` (see removeStaleFleets). */
  #writeOwner(): void {
    const owner: FleetOwner = {
      pid: process.pid,
      hosts: this.hosts.map((h) => ({ netns: h.netns.name, veth: h.veth, sshd: h.pid })),
    };
    writeFileSync(join(this.dir, OWNER), JSON.stringify(owner));
  }

  /** ssh options that reach any host of the fleet as root with the fleet's key. */
  sshOptions(): string[] {
    return [
      "-F",
      "/dev/null",
      "-i",
      this.key,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `UserKnownHostsFile=${this.knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
    ];
  }

  /** Runs a shell command on a host over ssh. */
  ssh(host: FleetHost, command: string) {
    return run(["ssh", ...this.sshOptions(), `root@${host.address}`, command]);
  }

  /**
   * An Ansible inventory (INI) of the fleet in group `fleet`: addresses, the key, known_hosts and
   * the interpreter (the hosts share the machine's /usr/bin/python3, so discovery is skipped).
   */
  ansibleInventory(vars: Record<string, string> = {}): string {
    const common = [
      "-o IdentitiesOnly=yes",
      `-o UserKnownHostsFile=${this.knownHosts}`,
      "-o GlobalKnownHostsFile=/dev/null",
      "-o StrictHostKeyChecking=yes",
    ].join(" ");
    const all: Record<string, string> = {
      ansible_user: "root",
      ansible_ssh_private_key_file: this.key,
      ansible_ssh_common_args: `'${common}'`,
      ansible_python_interpreter: "/usr/bin/python3",
      ...vars,
    };
    return [
      "[fleet]",
      ...this.hosts.map((h) => `${h.name} ansible_host=${h.address}`),
      "",
      "[fleet:vars]",
      ...Object.entries(all).map(([k, v]) => `${k}=${v}`),
      "",
    ].join("\n");
  }

  /** What a host's sshd wrote (its log goes to stderr), for failure messages. */
  log(host: FleetHost): string {
    return this.#logs.get(host.name) ?? "";
  }

  /** Stops every host (all processes of its PID namespace), removes its namespaces and files. */
  close(): void {
    for (const host of this.hosts) {
      for (const c of host.children) {
        try {
          c.kill("SIGKILL");
        } catch { /* gone */ }
      }
      // Killing a PID namespace's first process ends every process in it.
      if (host.pid > 0) {
        try {
          process.kill(host.pid, "SIGKILL");
        } catch { /* gone */ }
      }
    }
    for (const c of this.#sshd) {
      try {
        c.kill("SIGKILL");
      } catch { /* gone */ }
    }
    for (const host of this.hosts) {
      host.netns.close(); // the veth pair goes with the namespace
      spawnSync("ip", ["link", "del", host.veth], { stdio: "ignore" });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The file in a fleet's folder that names its process and what it made. */
const OWNER = "owner.json";

/** What `owner.json` holds. */
interface FleetOwner {
  pid: number;
  hosts: { netns: string; veth: string; sshd: number }[];
}

/**
 * Removes the fleets of test processes that died before closing them (a test killed by its
 * timeout): their sshd (checked by its command line, so a reused pid is never hit), namespaces,
 * veths and folders.
 */
export function removeStaleFleets(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith("nsnap-fleet-")) continue;
    const dir = join(tmpdir(), entry);
    let owner: FleetOwner;
    try {
      owner = JSON.parse(readFileSync(join(dir, OWNER), "utf8")) as FleetOwner;
    } catch {
      continue; // being made right now, or not a fleet
    }
    try {
      process.kill(owner.pid, 0);
      continue; // its process still runs
    } catch (e) {
      if ((e as { code?: string }).code === "EPERM") continue;
    }
    for (const h of owner.hosts) {
      try {
        if (h.sshd > 0 && readFileSync(`/proc/${h.sshd}/cmdline`, "utf8").includes(dir)) {
          process.kill(h.sshd, "SIGKILL");
        }
      } catch { /* gone */ }
    }
    for (const h of owner.hosts) {
      // Every process in the namespace is the dead test's (sessions, listeners it started).
      const pids = spawnSync("ip", ["netns", "pids", h.netns], { encoding: "utf8" }).stdout ?? "";
      for (const pid of pids.split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch { /* gone */ }
      }
      for (let attempt = 0; attempt < 10; attempt++) {
        if (spawnSync("ip", ["netns", "del", h.netns], { stdio: "ignore" }).status === 0) break;
        if (!existsSync(`/run/netns/${h.netns}`)) break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
      spawnSync("ip", ["link", "del", h.veth], { stdio: "ignore" });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sshd_config of one host: its address only, keys only, nothing written to the machine. */
function sshdConfig(addr: string, hostKey: string, authorized: string): string {
  return [
    `ListenAddress ${addr}:22`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${authorized}`,
    "PidFile none",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    // The keys live in a temporary folder under /tmp, which is world-writable.
    "StrictModes no",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    "MaxStartups 50:30:100",
    "Subsystem sftp internal-sftp",
    "LogLevel ERROR",
    "",
  ].join("\n");
}

/** The machine pid of the sshd that is the first process of a PID namespace in `netns`. */
function findSshd(netns: string): number {
  const pids = run(["ip", "netns", "pids", netns]).stdout.split("\n").filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const ns = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
      if (/^Name:\s+sshd$/m.test(status) && ns.length > 1 && ns[ns.length - 1] === "1") return pid;
    } catch { /* exited */ }
  }
  throw new Error(`Cannot find the sshd of namespace ${netns}: pids ${pids.join(" ")}`);
}

/** Runs `fn` with a fresh fleet and always removes it afterwards. */
export async function withFleet<T>(
  names: string[],
  fn: (fleet: Fleet) => Promise<T> | T,
  opts: FleetOptions = {},
): Promise<T> {
  const fleet = await Fleet.start(names, opts);
  try {
    return await fn(fleet);
  } finally {
    fleet.close();
  }
}
