/**
 * deploy/systemd: the units pass `systemd-analyze verify` without a word (pointed at a copy of
 * the compiled binary, since verify checks that ExecStart can run), their offline security
 * exposure stays at systemd's "OK" level or better, they keep the capabilities the Kubernetes
 * manifests name, and the timer fires every 10 minutes. Skipped where systemd-analyze is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyBinary } from "../../helpers/binary.ts";
import { ROOT } from "../../helpers/cli.ts";
import { podSpecOf, readManifests } from "../../helpers/k8s.ts";

const DIR = join(ROOT, "deploy/systemd");
const UNITS = ["nsnap-capture.service", "nsnap-capture.timer", "nsnap-periodic.service"];
const ANALYZE = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" })
  .stdout.trim();
const skip = !ANALYZE && "systemd-analyze is missing (Debian's systemd)";

/** Copies the units into `dir` with ExecStart pointing at `bin` instead of /usr/local/bin. */
function installCopy(dir: string, bin: string): string[] {
  return UNITS.map((u) => {
    const text = readFileSync(join(DIR, u), "utf8").replaceAll("/usr/local/bin/nsnap", bin);
    writeFileSync(join(dir, u), text);
    return join(dir, u);
  });
}

function analyze(args: string[]) {
  const r = spawnSync(ANALYZE, args, { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

test("systemd: deploy/systemd holds the capture service, its timer and the periodic service", () => {
  assert.deepEqual(readdirSync(DIR).filter((f) => !f.endsWith(".md")).sort(), [...UNITS].sort());
});

test("systemd: the units pass systemd-analyze verify with no warning", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-systemd-"));
  try {
    const bin = copyBinary(dir);
    const files = installCopy(dir, bin);
    const r = analyze(["verify", "--man=no", ...files]);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), "", "verify printed warnings");

    // verify does check: an unknown key is reported, and a missing binary fails.
    writeFileSync(files[0]!, readFileSync(files[0]!, "utf8") + "ProtectSystm=strict\n");
    assert.match(analyze(["verify", "--man=no", files[0]!]).out, /Unknown key 'ProtectSystm'/);
    copyFileSync(join(DIR, UNITS[0]!), files[0]!);
    const missing = analyze(["verify", "--man=no", files[0]!]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.out, /\/usr\/local\/bin\/nsnap is not executable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("systemd: both services keep an exposure at systemd's OK level or better", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-systemd-"));
  try {
    const bin = copyBinary(dir);
    for (const file of installCopy(dir, bin).filter((f) => f.endsWith(".service"))) {
      const r = analyze(["security", "--offline=yes", "--no-pager", file]);
      const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.out);
      assert.ok(m, r.out);
      assert.ok(Number(m[1]) <= 3.0, `${file}: exposure ${m[1]}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("systemd: the services are bounded to the capabilities the Kubernetes manifests add", () => {
  const pod = podSpecOf(readManifests("daemonset.yaml").find((m) => m.kind === "DaemonSet")!);
  const caps = (pod.containers[0]!.securityContext as { capabilities: { add: string[] } })
    .capabilities.add.map((c) => `CAP_${c}`);
  for (const unit of UNITS.filter((u) => u.endsWith(".service"))) {
    const text = readFileSync(join(DIR, unit), "utf8");
    const set = /^CapabilityBoundingSet=(.+)$/m.exec(text)?.[1]?.split(/\s+/);
    assert.deepEqual(set, caps, unit);
    for (
      const key of ["NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/nsnap"]
    ) {
      assert.match(text, new RegExp(`^${key}$`, "m"), `${unit}: ${key}`);
    }
  }
  const periodic = readFileSync(join(DIR, "nsnap-periodic.service"), "utf8");
  assert.match(
    periodic,
    /^ExecStart=\S+ capture --every 10s --keep 360 --max-total 1G -o \/var\/lib\/nsnap\/periodic\/ /m,
  );
  assert.match(periodic, /^KillSignal=SIGTERM$/m);
  assert.match(periodic, /^Type=exec$/m);
  const capture = readFileSync(join(DIR, "nsnap-capture.service"), "utf8");
  assert.match(capture, /^ExecStart=\S+ capture -o \/var\/lib\/nsnap\/ --keep 1008 /m);
  assert.doesNotMatch(capture, /find|-delete/, "rotation is nsnap's own, not a find over *.json");
});

test("systemd: the units' command lines are ones nsnap accepts", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-systemd-"));
  try {
    const bin = copyBinary(dir);
    for (const unit of UNITS.filter((u) => u.endsWith(".service"))) {
      const line = /^ExecStart=(\S+) (.+)$/m.exec(readFileSync(join(DIR, unit), "utf8"))!;
      // Into a scratch folder, bounded to one capture: the flags themselves are what is checked.
      const args = line[2]!.split(" ").map((a) =>
        a.startsWith("/var/lib/nsnap") ? `${dir}/out/` : a
      );
      const bounded = args.includes("--every") ? [...args, "--count", "1"] : args;
      const r = spawnSync(bin, bounded, { encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 0, `${unit}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^${dir}/out/\\S+\\.json\\n$`), unit);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("systemd: the timer fires every 10 minutes", { skip }, () => {
  const timer = readFileSync(join(DIR, "nsnap-capture.timer"), "utf8");
  const spec = /^OnCalendar=(.+)$/m.exec(timer)?.[1];
  assert.ok(spec);
  const r = analyze(["calendar", "--iterations=3", spec]);
  assert.equal(r.code, 0, r.out);
  const times = [...r.out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC/g)].map((m) =>
    Date.parse(`${m[1]!.replace(" ", "T")}Z`)
  );
  assert.equal(times.length, 3, r.out);
  assert.deepEqual([times[1]! - times[0]!, times[2]! - times[1]!], [600_000, 600_000]);
});

/** The system calls of a systemd group (`@system-service`), its nested groups expanded. */
function syscallGroup(name: string): Set<string> {
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of analyze(["syscall-filter", "--no-pager"]).out.split("\n")) {
    if (line.startsWith("@")) groups.set(line.trim(), current = []);
    else if (line.trim() && !line.trim().startsWith("#")) current?.push(line.trim());
  }
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (g: string) => {
    if (seen.has(g)) return;
    seen.add(g);
    for (const m of groups.get(g) ?? []) m.startsWith("@") ? walk(m) : out.add(m);
  };
  walk(name);
  return out;
}

const STRACE = spawnSync("sh", ["-c", "command -v strace"], { encoding: "utf8" }).stdout.trim();

test("systemd: every system call and socket family of a capture is one the services allow", {
  skip: skip || (!STRACE && "strace is missing (Debian's strace)"),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-systemd-"));
  try {
    const bin = copyBinary(dir);
    const trace = join(dir, "trace");
    // -f follows what the capture runs (ip); the snapshot itself goes to a pipe. Then a periodic
    // run as nsnap-periodic.service makes it (timers, rotation's unlink).
    const r = spawnSync(STRACE, ["-f", "-qq", "-o", trace, bin, "capture", "-o", "-"], {
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(r.status, 0, r.stderr);
    const periodicTrace = join(dir, "trace-periodic");
    const p = spawnSync(STRACE, [
      "-f",
      "-qq",
      "-o",
      periodicTrace,
      bin,
      "capture",
      "--every",
      "200ms",
      "--count",
      "4",
      "--keep",
      "2",
      "-o",
      `${dir}/p/`,
    ], { encoding: "utf8", timeout: 60_000 });
    assert.equal(p.status, 0, p.stderr);
    assert.equal(readdirSync(join(dir, "p")).length, 2, "the periodic run rotated its folder");
    const lines = [
      ...readFileSync(trace, "utf8").split("\n"),
      ...readFileSync(periodicTrace, "utf8").split("\n"),
    ];
    const used = new Set<string>();
    const families = new Set<string>();
    for (const line of lines) {
      const m = /^\d+\s+([a-z0-9_]+)\(/.exec(line);
      if (m) used.add(m[1]!);
      const f = /^\d+\s+socket(?:pair)?\((AF_[A-Z0-9]+)/.exec(line);
      if (f) families.add(f[1]!);
    }
    assert.ok(used.has("openat") && used.has("readlinkat"), [...used].join(" "));
    assert.ok(used.has("unlink") || used.has("unlinkat"), "rotation's unlink was traced");
    const allowed = syscallGroup("@system-service");
    assert.deepEqual([...used].filter((s) => !allowed.has(s)), [], "outside @system-service");
    const unit = readFileSync(join(DIR, "nsnap-periodic.service"), "utf8");
    const restrict = /^RestrictAddressFamilies=(.+)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    assert.deepEqual([...families].filter((f) => !restrict.includes(f)), [], [...families].join());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
