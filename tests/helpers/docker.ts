/**
 * Docker for tests, offline: images are made with `docker import` from a root filesystem built
 * here out of Debian's busybox-static (plus, when asked, programs with the shared libraries `ldd`
 * names), and every container, network and image a test makes carries its run's label and unique
 * name and is removed by `close()`, even when the test fails.
 *
 * Decisions:
 * - Debian's client `/usr/bin/docker` is used, never a `docker` found first on PATH.
 * - Everything made is labelled `nsnap.test.pid=<pid of the test process>`; a new scope first
 *   removes what runs whose process has died left behind (a test killed by a timeout).
 * - User networks get a /24 inside 10.124.0.0/16, chosen at random and retried on overlap, so
 *   parallel runs do not collide and nothing falls into Docker's 172.17+ pool; a veth added to
 *   a container (`veth()`) gets a /30 of 10.125.0.0/16.
 * - Calls are synchronous: docker answers in milliseconds, and a test reads in sequence.
 *
 * @example
 * ```ts
 * import { dockerSkip, withDocker } from "./docker.ts";
 * if (!dockerSkip()) {
 *   await withDocker("example", (d) => {
 *     const image = d.busyboxImage();
 *     const c = d.run(image, ["sleep", "30"]);
 *     return c.pid;
 *   });
 * }
 * ```
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";

/** Debian's Docker client. */
export const DOCKER = "/usr/bin/docker";
/** Debian's busybox-static, the base of every test image. */
export const BUSYBOX = "/bin/busybox";
/** The label every object a test makes carries; its value is the test process's pid. */
export const TEST_LABEL = "nsnap.test.pid";

const ENV = { ...process.env, DOCKER_BUILDKIT: "0", DOCKER_CLI_HINTS: "false" };

/** Whether Docker can be used here, and why not when it cannot. */
export type DockerStatus = { ok: true } | { ok: false; reason: string };

let status: DockerStatus | undefined;

/** Says whether a Docker daemon answers through /usr/bin/docker, with the reason when not. */
export function dockerAvailable(): DockerStatus {
  if (status) return status;
  if (process.platform !== "linux") {
    return status = { ok: false, reason: "Docker tests need Linux" };
  }
  if (process.getuid?.() !== 0) return status = { ok: false, reason: "Docker tests need root" };
  if (!existsSync(DOCKER)) {
    return status = { ok: false, reason: `${DOCKER} is missing (Debian's docker.io)` };
  }
  if (!existsSync(BUSYBOX)) {
    return status = { ok: false, reason: `${BUSYBOX} is missing (Debian's busybox-static)` };
  }
  const r = spawnSync(DOCKER, ["info", "--format", "{{.ServerVersion}}"], {
    encoding: "utf8",
    timeout: 15_000,
    env: ENV,
  });
  if (r.status !== 0 || !r.stdout.trim()) {
    const why = (r.stderr || r.error?.message || "no answer").trim().split("\n")[0];
    return status = { ok: false, reason: `no Docker daemon answers (.ci/run starts one): ${why}` };
  }
  return status = { ok: true };
}

/** The reason to skip a Docker test, or `false` when Docker can be used: for node:test's `skip`. */
export function dockerSkip(): string | false {
  const s = dockerAvailable();
  return s.ok ? false : s.reason;
}

/** Runs `docker ARGS` and returns its stdout; throws with docker's stderr when it fails. */
export function docker(args: string[], input?: string | Uint8Array): string {
  const r = spawnSync(DOCKER, args, {
    encoding: "utf8",
    timeout: 120_000,
    env: ENV,
    maxBuffer: 64 * 1024 * 1024,
    ...(input === undefined ? {} : { input }),
  });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
    throw new Error(`Cannot run docker ${args.slice(0, 3).join(" ")}: ${why}`);
  }
  return r.stdout;
}

/** Absolute paths of the shared libraries `ldd` lists for a dynamically linked program. */
export function sharedLibraries(program: string): string[] {
  const r = spawnSync("ldd", [program], { encoding: "utf8" });
  if (r.status !== 0) return []; // static, or not an ELF file: nothing to add
  const libs = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]!);
  }
  return [...libs].sort();
}

/** What goes into a test root filesystem besides busybox and its applets. */
export interface RootfsOptions {
  /** Files to write, by path inside the root (`"www/index.html"`). */
  files?: Record<string, string | Uint8Array>;
  /** Programs to copy (host path → path inside the root), each with the libraries ldd lists. */
  programs?: Record<string, string>;
  /** Programs whose shared libraries (as ldd lists them) are copied, but not the programs. */
  librariesOf?: string[];
  /** Leave busybox and its applets out (a root with only the programs). */
  noBusybox?: boolean;
}

/** Copies a host file to the same or another path under `root`, resolving symbolic links. */
function place(root: string, from: string, to: string, mode: number): void {
  const dest = join(root, to);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(realpathSync(from), dest);
  chmodSync(dest, mode);
}

/**
 * Fills `root` with a minimal system: /bin/busybox with a symbolic link per applet, /etc/passwd
 * and /etc/group for root and nobody, /tmp, and what `opts` adds.
 */
export function buildRootfs(root: string, opts: RootfsOptions = {}): void {
  for (const d of ["bin", "etc", "tmp", "proc", "sys", "dev", "root"]) {
    mkdirSync(join(root, d), { recursive: true });
  }
  chmodSync(join(root, "tmp"), 0o1777);
  writeFileSync(
    join(root, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
  );
  writeFileSync(join(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
  if (!opts.noBusybox) {
    place(root, BUSYBOX, "bin/busybox", 0o755);
    const list = spawnSync(BUSYBOX, ["--list"], { encoding: "utf8" }).stdout ?? "";
    for (const applet of list.split("\n").filter((a) => a && a !== "busybox")) {
      const link = join(root, "bin", applet);
      if (!existsSync(link)) symlinkSync("busybox", link);
    }
  }
  const programs = Object.entries(opts.programs ?? {});
  for (const [from, to] of programs) place(root, from, to.replace(/^\//, ""), 0o755);
  for (const program of [...programs.map(([from]) => from), ...opts.librariesOf ?? []]) {
    for (const lib of sharedLibraries(program)) {
      if (!existsSync(join(root, lib))) place(root, lib, lib.replace(/^\//, ""), 0o755);
    }
  }
  for (const [path, content] of Object.entries(opts.files ?? {})) {
    const dest = join(root, path.replace(/^\//, ""));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, content);
  }
}

/** The kernel and firewall state Docker may change on the host, for before/after checks. */
export interface HostNetState {
  ipForward: string;
  /** The FORWARD chain's policy (`ACCEPT`, `DROP`), or "" without iptables. */
  forwardPolicy: string;
}

/** Reads ip_forward and the iptables FORWARD policy of the host's namespace. */
export function hostNetState(): HostNetState {
  const ipForward = spawnSync("cat", ["/proc/sys/net/ipv4/ip_forward"], { encoding: "utf8" })
    .stdout?.trim() ?? "";
  const r = spawnSync("iptables", ["-S", "FORWARD"], { encoding: "utf8" });
  const forwardPolicy = /^-P FORWARD (\S+)/m.exec(r.stdout ?? "")?.[1] ?? "";
  return { ipForward, forwardPolicy };
}

/** A running container: its unique name, id, and main process as the host sees it. */
export interface Container {
  name: string;
  id: string;
  pid: number;
}

/** How to run a container. */
export interface RunOptions {
  /** `none`, `host`, or a network made by `network()`; Docker's default bridge otherwise. */
  network?: string;
  /** `-p` values, such as `127.0.0.1::80` (a free host port) or `127.0.0.1:18080:80`. */
  publish?: string[];
  /** Further `docker run` flags, placed before the image (`--read-only`, `--cap-add X`). */
  flags?: string[];
}

/** What `run()` and `runOnce()` share: flags for the name and the labels. */
function labelFlags(): string[] {
  return ["--label", `${TEST_LABEL}=${process.pid}`];
}

/** True when a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/** Removes containers, networks and images of earlier test runs whose process is gone. */
export function removeLeftovers(): void {
  const stale = (lines: string) =>
    lines.split("\n").filter(Boolean).map((l) => l.split(" ")).filter(([, pid]) =>
      pid && /^\d+$/.test(pid) && !alive(Number(pid))
    ).map(([id]) => id!);
  const fmt = `{{.ID}} {{.Label "${TEST_LABEL}"}}`;
  const filter = ["--filter", `label=${TEST_LABEL}`, "--format", fmt];
  const containers = stale(docker(["ps", "-a", ...filter]));
  if (containers.length) docker(["rm", "-f", "-v", ...containers]);
  const networks = stale(docker(["network", "ls", ...filter]));
  if (networks.length) docker(["network", "rm", ...networks]);
  // `docker images` cannot print labels: ask `image inspect` for them.
  const ids = docker(["images", "-q", "--filter", `label=${TEST_LABEL}`]).split("\n").filter(
    Boolean,
  );
  const images = ids.length
    ? stale(
      docker([
        "image",
        "inspect",
        "--format",
        `{{.Id}} {{index .Config.Labels "${TEST_LABEL}"}}`,
        ...new Set(ids),
      ]),
    )
    : [];
  if (images.length) docker(["rmi", "-f", ...images]);
}

/**
 * The Docker objects of one test: it names them uniquely, makes images, containers and networks,
 * and removes all of them on `close()`.
 */
export class DockerScope {
  /** A prefix unique to this scope: `nsnap-<tag>-<pid>-<random>`. */
  readonly prefix: string;
  readonly containers: string[] = [];
  readonly networks: string[] = [];
  readonly images: string[] = [];
  #count = 0;
  #busybox: string | undefined;
  readonly #veths: string[] = [];

  constructor(tag: string) {
    const safe = tag.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-");
    this.prefix = `nsnap-${safe}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
    removeLeftovers();
  }

  /** A fresh name under this scope's prefix. */
  name(what: string): string {
    return `${this.prefix}-${what}-${++this.#count}`;
  }

  /**
   * Makes an image with `docker import` from a root filesystem built by `buildRootfs()`;
   * `changes` are Dockerfile instructions for the import (`CMD ["/bin/sh"]`).
   */
  importImage(opts: RootfsOptions = {}, changes: string[] = []): string {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-rootfs-"));
    try {
      buildRootfs(dir, opts);
      const tar = spawnSync("tar", ["-C", dir, "--numeric-owner", "-c", "."], {
        maxBuffer: 1024 * 1024 * 1024,
      });
      if (tar.status !== 0) throw new Error(`Cannot pack ${dir}: ${tar.stderr}`);
      const ref = `${this.name("image")}:test`;
      const flags = [`LABEL ${TEST_LABEL}=${process.pid}`, ...changes].flatMap((c) => ["-c", c]);
      docker(["import", ...flags, "-", ref], tar.stdout);
      this.images.push(ref);
      return ref;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The busybox image of this scope (made once): busybox applets and `/www/index.html`. */
  busyboxImage(): string {
    return this.#busybox ??= this.importImage(
      { files: { "www/index.html": `nsnap test page ${this.prefix}\n` } },
      ['CMD ["/bin/sh"]'],
    );
  }

  /** Builds an image from a Dockerfile with the classic builder (offline: its base must be local). */
  build(context: string, opts: { dockerfile?: string; args?: Record<string, string> } = {}) {
    const ref = `${this.name("build")}:test`;
    const args = Object.entries(opts.args ?? {}).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
    const file = opts.dockerfile ? ["-f", opts.dockerfile] : [];
    docker([
      "build",
      "-q",
      "--force-rm",
      "--pull=false",
      "--label",
      `${TEST_LABEL}=${process.pid}`,
      ...file,
      ...args,
      "-t",
      ref,
      context,
    ]);
    this.images.push(ref);
    return ref;
  }

  /** Makes a user bridge network with a /24 of 10.124.0.0/16; returns its name and subnet. */
  network(): { name: string; subnet: string } {
    const name = this.name("net");
    for (let attempt = 0; attempt < 20; attempt++) {
      const subnet = `10.124.${Math.floor(Math.random() * 256)}.0/24`;
      try {
        docker([
          "network",
          "create",
          "--driver",
          "bridge",
          "--subnet",
          subnet,
          ...labelFlags(),
          name,
        ]);
        this.networks.push(name);
        return { name, subnet };
      } catch (e) {
        if (!/overlap/i.test(String(e))) throw e;
      }
    }
    throw new Error("Cannot create a docker network: no free /24 in 10.124.0.0/16 after 20 tries");
  }

  /** Starts a detached container running `argv` and returns it once it runs. */
  run(image: string, argv: string[], opts: RunOptions = {}): Container {
    const name = this.name("c");
    this.containers.push(name); // before the run: a half-made container is removed too
    const flags = [
      "--name",
      name,
      ...labelFlags(),
      ...(opts.network ? ["--network", opts.network] : []),
      ...(opts.publish ?? []).flatMap((p) => ["-p", p]),
      ...(opts.flags ?? []),
    ];
    const id = docker(["run", "-d", ...flags, image, ...argv]).trim();
    const pid = Number(docker(["inspect", "-f", "{{.State.Pid}}", name]).trim());
    return { name, id, pid };
  }

  /** Runs a container to its end and returns its exit code and output; it is removed after. */
  runOnce(image: string, argv: string[], opts: RunOptions = {}) {
    const name = this.name("once");
    this.containers.push(name);
    const flags = [
      "--name",
      name,
      ...labelFlags(),
      ...(opts.network ? ["--network", opts.network] : []),
      ...(opts.flags ?? []),
    ];
    const r = spawnSync(DOCKER, ["run", ...flags, image, ...argv], {
      encoding: "utf8",
      timeout: 120_000,
      env: ENV,
      maxBuffer: 256 * 1024 * 1024,
    });
    spawnSync(DOCKER, ["rm", "-f", "-v", name], { env: ENV });
    return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /**
   * Adds a veth pair between the host and a running container (one made with `--network none`,
   * say): `eth1` inside with `.2` of a random /30 of 10.125.0.0/16, the host's end with `.1`.
   * The host's end is removed by `close()`; the container's goes with its namespace.
   */
  veth(container: Container): { hostIf: string; hostAddress: string; address: string } {
    const hostIf = `nv${process.pid}-${this.#veths.length}`.slice(0, 15);
    const block = Math.floor(Math.random() * 16384) * 4;
    const at = (n: number) => `10.125.${(block + n) >> 8}.${(block + n) & 255}`;
    const ip = (...args: string[]) => {
      const r = spawnSync("ip", args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`Cannot run ip ${args.join(" ")}: ${r.stderr.trim()}`);
    };
    this.#veths.push(hostIf);
    ip(
      "link",
      "add",
      hostIf,
      "type",
      "veth",
      "peer",
      "name",
      "eth1",
      "netns",
      String(container.pid),
    );
    ip("addr", "add", `${at(1)}/30`, "dev", hostIf);
    ip("link", "set", hostIf, "up");
    const inside = ["nsenter", "-t", String(container.pid), "-n", "ip"];
    for (
      const args of [["addr", "add", `${at(2)}/30`, "dev", "eth1"], ["link", "set", "eth1", "up"]]
    ) {
      const r = spawnSync(inside[0]!, [...inside.slice(1), ...args], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`Cannot set up eth1 in ${container.name}: ${r.stderr}`);
    }
    return { hostIf, hostAddress: at(1), address: at(2) };
  }

  /** Runs a command in a running container and returns its stdout. */
  exec(container: Container, argv: string[]): string {
    return docker(["exec", container.name, ...argv]);
  }

  /** The host port Docker published for a container port (`80/tcp`). */
  hostPort(container: Container, port: string): number {
    const out = docker(["port", container.name, port]);
    const m = /:(\d+)\s*$/m.exec(out);
    if (!m) throw new Error(`Cannot find the host port of ${container.name} ${port}: ${out}`);
    return Number(m[1]);
  }

  /** The container's `docker inspect` document. */
  inspect(container: Container): Record<string, unknown> {
    const docs = JSON.parse(docker(["inspect", container.name])) as Record<string, unknown>[];
    return docs[0]!;
  }

  /** Removes every container, network and image this scope made; never throws. */
  close(): void {
    const quiet = (args: string[]) => spawnSync(DOCKER, args, { env: ENV, timeout: 60_000 });
    if (this.containers.length) quiet(["rm", "-f", "-v", ...this.containers]);
    if (this.networks.length) quiet(["network", "rm", ...this.networks]);
    if (this.images.length) quiet(["rmi", "-f", ...this.images.reverse()]);
    for (const v of this.#veths) spawnSync("ip", ["link", "del", v], { stdio: "ignore" });
    this.#veths.length = 0;
    this.containers.length = this.networks.length = this.images.length = 0;
  }
}

/** Runs `fn` with a fresh scope and always removes what it made afterwards. */
export async function withDocker<T>(
  tag: string,
  fn: (d: DockerScope) => Promise<T> | T,
): Promise<T> {
  const d = new DockerScope(tag);
  try {
    return await fn(d);
  } finally {
    d.close();
  }
}

/** What a scope left behind (containers, networks, images with this run's label), for tests. */
export function leftovers(): { containers: string[]; networks: string[]; images: string[] } {
  const list = (args: string[]) =>
    docker([...args, "--filter", `label=${TEST_LABEL}=${process.pid}`, "--format", "{{.ID}}"])
      .split("\n").filter(Boolean);
  return {
    containers: list(["ps", "-a"]),
    networks: list(["network", "ls"]),
    images: list(["images"]),
  };
}

/** Names of the host's network interfaces (to check that Docker's bridges are gone). */
export function hostInterfaces(): string[] {
  return readdirSync("/sys/class/net").sort();
}
