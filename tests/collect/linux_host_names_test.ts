/**
 * Reading the host faithfully, on fixture trees with recorded `ip` outputs: names are decoded
 * as UTF-8 by one rule in /sys, /proc/net/dev, /proc/[pid]/stat and ip's JSON (no garbled twin);
 * a name with ESC in it, or ip output that cannot be read at all, costs a warning and never the
 * interfaces section; /sys showing another network namespace is noticed and not used; and a
 * /proc mounted with hidepid says why other users' sockets have no owner.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { collectLinux } from "../../src/collect/linux/mod.ts";
import { collectInterfaces } from "../../src/collect/linux/interfaces.ts";
import type { CollectOptions } from "../../src/collect/contract.ts";
import type { CommandRunner } from "../../src/runtime/command.ts";
import type { NetInterface } from "../../src/model.ts";
import { fixture } from "../helpers/fixtures.ts";

function put(root: string, path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), data);
}

const DEV_HEAD = "Inter-|   Receive                                                |  Transmit\n" +
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

/** A tree whose /sys/class/net and /proc/net/dev list `sys` and `dev`. */
function tree(sys: [string, number, string][], dev: string[]): string {
  const root = mkdtempSync(join(tmpdir(), "nsnap-names-"));
  for (const [name, index, mac] of sys) {
    put(root, `sys/class/net/${name}/ifindex`, `${index}\n`);
    put(root, `sys/class/net/${name}/address`, `${mac}\n`);
    put(root, `sys/class/net/${name}/mtu`, "1500\n");
    put(root, `sys/class/net/${name}/flags`, "0x1003\n");
    put(root, `sys/class/net/${name}/operstate`, "up\n");
  }
  put(
    root,
    "proc/net/dev",
    DEV_HEAD +
      dev.map((n, i) => `${n}: ${100 + i} 1 0 0 0 0 0 0 ${200 + i} 2 0 0 0 0 0 0\n`).join(""),
  );
  return root;
}

/** `ip -j addr show` output as iproute2 prints it: names raw, only `"` and `\` escaped. */
function ipAddr(links: [string, number, string, string?][]): string {
  return "[" +
    links.map(([name, index, mac, addr]) =>
      `{"ifindex":${index},"ifname":"${
        name.replaceAll("\\", "\\\\")
      }","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],` +
      `"mtu":1500,"operstate":"UP","link_type":"ether","address":"${mac}","addr_info":[` +
      (addr ? `{"family":"inet","local":"${addr}","prefixlen":24,"scope":"global"}` : "") + "]}"
    ).join(",") + "]\n";
}

/** A capture of a fixture tree (no netlink: its /proc is not the kernel's). */
function opts(uid: number): CollectOptions {
  return { cmdline: false, uid, netlink: false, tcpInfo: "summary", allUnix: false };
}

function runner(addr: string): CommandRunner {
  return (argv) =>
    argv.includes("addr")
      ? { ok: true, stdout: addr, stderr: "" }
      : { ok: false, stdout: "", stderr: "", reason: `${argv[0]}: not found` };
}

function interfaces(
  root: string,
  run: CommandRunner,
): { list: NetInterface[]; warnings: string[]; status: string } {
  const s = collectInterfaces({ root, runner: run });
  return { list: s.value, warnings: s.status.warnings ?? [], status: s.status.status };
}

const ESC_NAME = "a\x1bb";
const LINKS: [string, number, string][] = [
  ["lo", 1, "00:00:00:00:00:00"],
  ["é-ü", 2, "02:00:00:00:00:02"],
  [ESC_NAME, 3, "02:00:00:00:00:03"],
  ["a\\x41", 4, "02:00:00:00:00:04"],
];

test("unicode, ESC and backslash names are one interface each, with counters and addresses", () => {
  const root = tree(LINKS, LINKS.map((l) => l[0]));
  try {
    const ip = ipAddr(LINKS.map(([n, i, m]) => [n, i, m, `10.0.${i}.1`]));
    const { list, warnings, status } = interfaces(root, runner(ip));
    assert.deepEqual(warnings, []);
    assert.equal(status, "ok");
    // `a\x41` really has a backslash: it reads `a\\x41`, never like an escaped byte.
    assert.deepEqual(list.map((i) => i.name).sort(), ["a\\\\x41", ESC_NAME, "lo", "é-ü"].sort());
    for (const itf of list) {
      assert.ok(itf.stats?.rxBytes !== undefined, `${itf.name}: counters from /proc/net/dev`);
      assert.equal(itf.addresses.length, 1, `${itf.name}: its address from ip, ESC or not`);
      assert.equal(itf.mtu, 1500);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("ip output that cannot be read costs the addresses, never /sys's and /proc/net/dev's data", () => {
  const root = tree(LINKS, LINKS.map((l) => l[0]));
  try {
    const { list, warnings, status } = interfaces(root, runner('[{"ifindex":1,"ifname":"lo",'));
    assert.equal(status, "partial");
    assert.ok(
      warnings.some((w) =>
        w.startsWith("interface addresses unknown: ip -j addr show:1: not JSON")
      ),
      warnings.join("\n"),
    );
    assert.equal(list.length, 4);
    assert.ok(list.every((i) => i.stats !== undefined && i.index !== undefined));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a /sys of another network namespace is noticed and not used: ip's links, /proc/net/dev's counters", () => {
  // nsenter -n: /sys is the host's (eth0, docker0), /proc/net/dev and ip are this namespace's.
  const host: [string, number, string][] = [
    ["lo", 1, "00:00:00:00:00:00"],
    ["eth0", 2, "52:54:00:00:00:01"],
    ["docker0", 3, "02:42:00:00:00:01"],
  ];
  const here: [string, number, string, string?][] = [
    ["lo", 1, "00:00:00:00:00:00", "127.0.0.1"],
    ["inner0", 2, "0a:00:00:00:00:02", "10.77.0.1"],
  ];
  const root = tree(host, here.map((l) => l[0]));
  try {
    const { list, warnings, status } = interfaces(root, runner(ipAddr(here)));
    assert.equal(status, "partial");
    assert.ok(
      warnings.some((w) =>
        w.startsWith(
          "/sys/class/net shows another network namespace (nsenter -n without -m?): 2 of its links are not here (docker0, eth0)",
        )
      ),
      warnings.join("\n"),
    );
    assert.deepEqual(list.map((i) => i.name).sort(), ["inner0", "lo"]);
    const inner = list.find((i) => i.name === "inner0")!;
    assert.equal(inner.mac, "0a:00:00:00:00:02");
    assert.equal(inner.index, 2);
    assert.deepEqual(inner.flags, ["UP", "BROADCAST", "MULTICAST", "LOWER_UP"]);
    assert.equal(inner.stats?.rxBytes, 101n);
    // Same names, other MAC addresses: still another namespace.
    const twin = tree([["lo", 1, "00:00:00:00:00:00"], ["eth0", 2, "52:54:00:00:00:01"]], [
      "lo",
      "eth0",
    ]);
    try {
      const r = interfaces(
        twin,
        runner(ipAddr([["lo", 1, "00:00:00:00:00:00"], ["eth0", 2, "0a:00:00:00:00:09"]])),
      );
      assert.ok(
        r.warnings.some((w) =>
          w.includes("eth0 has MAC address 52:54:00:00:00:01 there and 0a:00:00:00:00:09 here")
        ),
      );
      assert.equal(r.list.find((i) => i.name === "eth0")?.mac, "0a:00:00:00:00:09");
    } finally {
      rmSync(twin, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A tree with one listening socket (inode 34000) held by a process named by `comm`'s bytes. */
function procTree(comm: Uint8Array | undefined, mountinfo?: string): string {
  const root = mkdtempSync(join(tmpdir(), "nsnap-comm-"));
  put(root, "proc/net/tcp", fixture("linux/proc-net-tcp/jc-ubuntu.txt"));
  put(root, "proc/stat", "cpu  1 2 3\nbtime 1764000000\n");
  if (comm) {
    const enc = new TextEncoder();
    const stat = [
      ...enc.encode("100 ("),
      ...comm,
      ...enc.encode(") S 1 100 100 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0\n"),
    ];
    put(root, "proc/100/stat", Uint8Array.from(stat));
    put(root, "proc/100/cmdline", Uint8Array.from([...comm, 0]));
    mkdirSync(join(root, "proc/100/fd"), { recursive: true });
    symlinkSync("socket:[34000]", join(root, "proc/100/fd/3"));
  }
  if (mountinfo !== undefined) put(root, "proc/self/mountinfo", mountinfo);
  return root;
}

test("a process name is UTF-8, and one cut inside a character keeps the cut byte as \\xHH", async () => {
  const enc = new TextEncoder();
  for (
    const [bytes, name] of [
      [enc.encode("é-ü-名前"), "é-ü-名前"],
      [enc.encode("éééééééé").subarray(0, 15), "ééééééé\\xc3"],
    ] as const
  ) {
    const root = procTree(bytes);
    try {
      const s = await collectLinux({ root, runner: runner("[]") }, opts(0));
      assert.equal(s.sections.processes.value["100"]?.name, name);
      assert.equal(s.sections.processes.value["100"]?.invokedAs, name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test("under hidepid, an ownerless socket is said to belong to a process /proc hides", async () => {
  const proc = (opts: string) => `22 27 0:21 / /proc rw,relatime - proc proc ${opts}\n`;
  const cases: [string, number, RegExp][] = [
    [
      proc("rw,hidepid=invisible"),
      65534,
      /\/proc hides other users' processes \(hidepid=invisible\)$/,
    ],
    [proc("rw,hidepid=2"), 1000, /\/proc hides other users' processes \(hidepid=2\)$/],
    // root sees every process whatever the option; hidepid=1 lists them all.
    [proc("rw,hidepid=2"), 0, /closed during the scan/],
    [proc("rw,hidepid=noaccess"), 1000, /closed during the scan/],
    [proc("rw"), 1000, /closed during the scan/],
  ];
  for (const [mountinfo, uid, want] of cases) {
    const root = procTree(undefined, mountinfo);
    try {
      const s = await collectLinux({ root, runner: runner("[]") }, opts(uid));
      const w = s.sections.connections.status.warnings ?? [];
      assert.ok(
        w.some((x) => /^owner of [0-9]+ sockets unknown: /.test(x) && want.test(x)),
        `${uid} ${mountinfo}: ${w}`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});
