/**
 * Socket owners from the BPF iterator in a real capture. A process this test starts holds 11 000
 * open files (over BPF_SCAN_FILES: the iterator pays off), so the capture reads descriptors with
 * it: in a quiet namespace on the capture's own thread, in a busy one (over 4000 sockets) in the
 * scan worker, from source and from the executable. Each capture records `bpf+proc` as the
 * processes' source and gives every socket the pid `ss -tanp` names; NSNAP_BPF=0 gives the same
 * owners by the /proc walk, and so does an iterator that fails (a BTF file that is not BTF,
 * through NSNAP_BTF), with a note saying why.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nsnapBinary, runBare } from "../../helpers/binary.ts";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, whenReady, withNetns } from "../../helpers/netns.ts";
import { bpfScanHindrance } from "../../../src/collect/linux/fd_scan.ts";
import { BPF_SCAN_FILES } from "../../../src/collect/linux/owners.ts";

const hindrance = bpfScanHindrance();
const skip = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : hindrance
  ? `the BPF iterator cannot run here: ${hindrance}`
  : false;

type Json = Record<string, unknown>;

/**
 * The iterator is the netlink capture's: on, even where the environment turns netlink off for
 * the rest of the suite (test:system:proc). The executable runs with a bare environment anyway.
 */
const NETLINK = { NSNAP_NETLINK: "1" };

/** A process holding `n` open files (/dev/null) until killed or 120 s have passed. */
function holdFiles(n: number): Promise<ChildProcess> {
  const script = [
    "import resource, time",
    `resource.setrlimit(resource.RLIMIT_NOFILE, (${n + 100}, ${n + 100}))`,
    `files = [open('/dev/null') for _ in range(${n})]`,
    "print('ready', flush=True)",
    "time.sleep(120)",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
  return whenReady(child, "the file holder");
}

/** The TCP sockets `ss -tanp` lists in the namespace: "local remote" → pid. */
function ssOwners(ns: Netns): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of ns.exec("ss", "-Htanp").split("\n")) {
    const f = line.trim().split(/\s+/);
    const pid = /pid=(\d+)/.exec(line)?.[1];
    if (f.length >= 5 && pid) out.set(`${f[3]} ${f[4]}`, Number(pid));
  }
  return out;
}

/** Checks one capture: the source, and every TCP socket's owner as ss names it. */
function check(
  text: string,
  ss: Map<string, number>,
  source: string,
  how: string,
  note?: RegExp,
): void {
  const snap = JSON.parse(text) as Json;
  const sections = (snap.meta as Json).sections as Record<string, Json>;
  const warnings = (sections.processes!.warnings ?? []) as string[];
  if (note) assert.ok(warnings.some((w) => note.test(w)), `${how}: ${JSON.stringify(warnings)}`);
  assert.equal(sections.processes!.source, source, `${how}: ${JSON.stringify(sections.processes)}`);
  assert.equal(sections.processes!.status, "ok", `${how}: ${JSON.stringify(sections.processes)}`);
  const tcp = (snap.connections as Json[]).filter((c) => c.protocol === "tcp");
  assert.equal(tcp.length, ss.size, `${how}: as many TCP sockets as ss lists`);
  for (const c of tcp) {
    const port = (a: unknown, p: unknown) => `${a === "0.0.0.0" ? "127.0.0.1" : a}:${p}`;
    const key = `${port(c.localAddress, c.localPort)} ${
      c.state === "LISTEN" ? "0.0.0.0:*" : port(c.remoteAddress, c.remotePort)
    }`;
    const want = ss.get(key);
    assert.ok(want !== undefined, `${how}: ss has no ${key}`);
    assert.equal(c.pid, want, `${how}: owner of ${key}`);
  }
}

for (
  const [label, pairs] of [
    ["a quiet namespace (the capture's thread)", 3],
    ["a busy namespace (the scan worker)", 2100],
  ] as const
) {
  test(`owners of ${label} come from the BPF iterator, and agree with ss and the /proc walk`, {
    skip,
  }, async () => {
    const files = await holdFiles(BPF_SCAN_FILES + 1000);
    const scratch = mkdtempSync(join(tmpdir(), "nsnap-bpf-btf-"));
    const notBtf = join(scratch, "not-btf");
    writeFileSync(notBtf, "this is not BTF\n");
    try {
      await withNetns("bpf", async (ns) => {
        await holdSockets(ns, [
          "listen:127.0.0.1:7500",
          `connect:127.0.0.1:7500:${pairs}`,
        ], 120);
        const ss = ssOwners(ns);
        assert.equal(ss.size, 2 * pairs + 1);
        const src = runCli(["capture", "-o", "-"], {
          wrap: ns.wrap,
          env: NETLINK,
          timeoutMs: 60_000,
        });
        assert.equal(src.code, 0, src.stderr);
        check(src.stdout, ss, "bpf+proc", "from source");
        const off = runCli(["capture", "-o", "-"], {
          wrap: ns.wrap,
          env: { ...NETLINK, NSNAP_BPF: "0" },
          timeoutMs: 60_000,
        });
        assert.equal(off.code, 0, off.stderr);
        check(off.stdout, ss, "proc", "NSNAP_BPF=0");
        const failing = runCli(["capture", "-o", "-"], {
          wrap: ns.wrap,
          env: { ...NETLINK, NSNAP_BTF: notBtf },
          timeoutMs: 60_000,
        });
        assert.equal(failing.code, 0, failing.stderr);
        check(
          failing.stdout,
          ss,
          "proc",
          "a failing iterator",
          /^BPF descriptor iterator unavailable \(.*\/not-btf: not BTF .*\): read \/proc\/PID\/fd$/,
        );
        const dir = mkdtempSync(join(tmpdir(), "nsnap-bpf-"));
        try {
          const file = join(dir, "snap.json");
          const bin = runBare(nsnapBinary(), ["capture", "-o", file], ns.wrap);
          assert.equal(bin.code, 0, bin.stderr);
          check(readFileSync(file, "utf8"), ss, "bpf+proc", "the executable");
          // A periodic capture whose iterator failed does not try it again, and says so.
          const periodic = join(dir, "periodic");
          const every = runCli(["capture", "--every", "1s", "--count", "2", "-o", `${periodic}/`], {
            wrap: ns.wrap,
            env: { ...NETLINK, NSNAP_BTF: notBtf },
            timeoutMs: 60_000,
          });
          assert.equal(every.code, 0, every.stderr);
          const files = readdirSync(periodic).filter((f) => f.endsWith(".json")).sort();
          assert.equal(files.length, 2, files.join(" "));
          check(readFileSync(join(periodic, files[0]!), "utf8"), ss, "proc", "1st", /not BTF/);
          check(
            readFileSync(join(periodic, files[1]!), "utf8"),
            ss,
            "proc",
            "2nd",
            /^BPF descriptor iterator unavailable \(it failed before: .*not BTF/,
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    } finally {
      files.kill("SIGKILL");
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
