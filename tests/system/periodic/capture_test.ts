/**
 * `nsnap capture --every` end to end in network namespaces: a listener that opens and closes
 * between captures is in exactly the files captured while it listened; rotation keeps exactly N
 * of this host's files (and under the size cap) and nothing else is touched; SIGINT, SIGTERM and
 * SIGHUP mid-run leave no temporary file, every file written is complete and valid, and each
 * printed path is a file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Snapshot } from "../../../src/model.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { nsnapBinary } from "../../helpers/binary.ts";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, withNetns } from "../../helpers/netns.ts";
import { startNsnap } from "./_nsnap.ts";

const skip = !canUseNetns() && "needs root and iproute2 (network namespaces)";

function read(path: string): Snapshot {
  return parseSnapshotBytes(readFileSync(path), path);
}

function snapshotsIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
}

function tempsIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(".nsnap-"));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  "capture --every: a listener opened and closed between captures is in the files of its lifetime",
  {
    skip,
    timeout: 180_000,
  },
  async () => {
    await withNetns("every", async (ns) => {
      const dir = mkdtempSync(join(tmpdir(), "nsnap-every-"));
      try {
        const run = startNsnap(["capture", "--every", "1s", "-o", `${dir}/`], { wrap: ns.wrap });
        await run.lineCount(2);
        const openStart = Date.now();
        const holder = await holdSockets(ns, ["listen:0.0.0.0:9200"], 120);
        const openedAt = Date.now();
        assert.match(ns.exec("ss", "-Htln"), /0\.0\.0\.0:9200/, "ss sees the listener");
        await run.lineCount(run.lines.length + 2);
        const closeStart = Date.now();
        holder.kill("SIGKILL");
        for (let i = 0; i < 100 && /:9200/.test(ns.exec("ss", "-Htln")); i++) await sleep(20);
        assert.doesNotMatch(ns.exec("ss", "-Htln"), /:9200/, "ss sees it gone");
        const closedAt = Date.now();
        await run.lineCount(run.lines.length + 2);
        run.signal("SIGTERM");
        const end = await run.ended;
        assert.equal(end.code, 0, end.stderr);
        assert.match(end.stderr, /stopped by SIGTERM after \d+ captures\n$/);

        const printed = end.stdout.trim().split("\n");
        assert.deepEqual(printed.map((p) => basename(p)), snapshotsIn(dir), "one line per file");
        const phases = { before: 0, during: 0, after: 0 };
        for (const file of snapshotsIn(dir)) {
          const s = read(join(dir, file));
          const t = Date.parse(s.meta.capturedAt), done = t + s.meta.durationMs;
          const has = s.connections.some((c) => c.localPort === 9200 && c.state === "LISTEN");
          if (done < openStart) {
            assert.equal(has, false, `${file}: captured before the listener opened`);
            phases.before++;
          } else if (t > openedAt && done < closeStart) {
            assert.equal(has, true, `${file}: captured while it listened`);
            phases.during++;
          } else if (t > closedAt) {
            assert.equal(has, false, `${file}: captured after it closed`);
            phases.after++;
          }
          assert.equal(s.meta.periodic?.everyMs, 1000);
        }
        assert.ok(
          phases.before >= 1 && phases.during >= 1 && phases.after >= 1,
          JSON.stringify(phases),
        );
        // The timeline of the folder names the times of both changes: the capture times of the
        // first file with the listener and of the first one without it again.
        const files = snapshotsIn(dir).map((f) => read(join(dir, f)));
        const has = (s: Snapshot) => s.connections.some((c) => c.localPort === 9200);
        const opened = files.find(has)!.meta.capturedAt;
        const closed = files.slice(files.findIndex(has)).find((s) => !has(s))!.meta.capturedAt;
        const tl = runCli(["diff", dir, "--format", "json"]);
        assert.equal(tl.code, 0, tl.stderr);
        const event = (JSON.parse(tl.stdout) as {
          events: { subject: string; history: { kind: string; at: string }[]; summary: string }[];
        }).events.find((e) => e.subject.startsWith("listener tcp 0.0.0.0:9200"))!;
        assert.deepEqual(event.history.map((h) => [h.kind, h.at]), [
          ["listener-opened", opened],
          ["listener-closed", closed],
        ]);
        const text = runCli(["diff", dir]);
        const hms = (iso: string) => iso.slice(11, 19);
        assert.ok(
          text.stdout.includes(`opened at ${hms(opened)}, closed at ${hms(closed)}`),
          text.stdout,
        );

        // Slots follow each other from 0, but for ones an overrun skipped.
        const slots = snapshotsIn(dir).map((f) => read(join(dir, f)).meta.periodic!.slot);
        assert.equal(slots[0], 0);
        assert.deepEqual([...slots].sort((a, b) => a - b), slots);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

test(
  "capture --every --keep N: exactly the newest N of this host's files are left, nothing else touched",
  {
    skip,
    timeout: 120_000,
  },
  async () => {
    await withNetns("keep", async (ns) => {
      const dir = mkdtempSync(join(tmpdir(), "nsnap-keep-"));
      try {
        const host = ns.exec("hostname").trim().replace(/[^A-Za-z0-9._-]+/g, "_");
        const foreign = [
          "notes.json",
          "db-1-20200101T000000.000Z.json",
          `${host}-20200101T000000.000Z.json.gz`,
          `${host}.json`,
        ];
        for (const f of foreign) writeFileSync(join(dir, f), "not nsnap's to remove");
        // An older snapshot of this host from an earlier run: rotated like the run's own.
        writeFileSync(join(dir, `${host}-20200101T000000.000Z.json`), "{}");
        const run = startNsnap(
          ["capture", "--every", "300ms", "--count", "6", "--keep", "3", "-o", `${dir}/`],
          { wrap: ns.wrap },
        );
        const end = await run.ended;
        assert.equal(end.code, 0, end.stderr);
        const printed = end.stdout.trim().split("\n").map((p) => basename(p));
        assert.equal(printed.length, 6);
        const ours = readdirSync(dir).filter((f) => !foreign.includes(f));
        assert.deepEqual(ours.sort(), printed.slice(-3).sort());
        for (const f of foreign) {
          assert.equal(readFileSync(join(dir, f), "utf8"), "not nsnap's to remove");
        }
        assert.deepEqual(tempsIn(dir), []);

        // A one-shot capture into the folder rotates it too (as a timer runs it).
        const once = startNsnap(["capture", "-o", `${dir}/`, "--keep", "2"], { wrap: ns.wrap });
        const e1 = await once.ended;
        assert.equal(e1.code, 0, e1.stderr);
        assert.deepEqual(
          readdirSync(dir).filter((f) => !foreign.includes(f)).sort(),
          [printed.at(-1)!, basename(e1.stdout.trim())].sort(),
        );

        // --max-total: about two and a half files' worth keeps two.
        const size = statSync(join(dir, printed.at(-1)!)).size;
        const capped = startNsnap(
          [
            "capture",
            "--every",
            "300ms",
            "--count",
            "4",
            "--max-total",
            String(Math.floor(size * 2.5)),
            "-o",
            `${dir}/`,
          ],
          { wrap: ns.wrap },
        );
        const e2 = await capped.ended;
        assert.equal(e2.code, 0, e2.stderr);
        const after = readdirSync(dir).filter((f) => !foreign.includes(f)).sort();
        const newest = e2.stdout.trim().split("\n").map((p) => basename(p)).slice(-2).sort();
        assert.deepEqual(after, newest);

        // Redacted: the names carry the host's pseudonym, and rotation keeps to those.
        const red = mkdtempSync(join(tmpdir(), "nsnap-keep-red-"));
        try {
          const r3 = startNsnap(
            [
              "capture",
              "--every",
              "300ms",
              "--count",
              "4",
              "--keep",
              "2",
              "--redact",
              "--redact-key",
              "k1",
              "-o",
              `${red}/`,
            ],
            { wrap: ns.wrap },
          );
          const e3 = await r3.ended;
          assert.equal(e3.code, 0, e3.stderr);
          const names = readdirSync(red).sort();
          assert.equal(names.length, 2);
          assert.ok(names.every((n) => n.startsWith("host-") && !n.includes(host)), names.join());
        } finally {
          rmSync(red, { recursive: true, force: true });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

/** A namespace with a few thousand sockets, so a capture and its write take a while. */
async function busyNamespace<T>(tag: string, fn: (wrap: string[]) => Promise<T>): Promise<T> {
  return await withNetns(tag, async (ns) => {
    await holdSockets(ns, ["listen:127.0.0.1:7000", "connect:127.0.0.1:7000:2000"], 170);
    return await fn(ns.wrap);
  });
}

async function stopMidRun(
  wrap: string[],
  signal: NodeJS.Signals,
  extra: string[],
  bin?: string,
) {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-sig-"));
  try {
    const run = startNsnap(["capture", "--every", "100ms", ...extra, "-o", `${dir}/`], {
      wrap,
      ...(bin ? { bin } : {}),
    });
    await run.lineCount(3);
    await sleep(Math.floor(Math.random() * 150));
    run.signal(signal);
    const end = await run.ended;
    const files = snapshotsIn(dir);
    assert.deepEqual(tempsIn(dir), [], "no temporary file left");
    const printed = end.stdout.trim().split("\n").map((p) => basename(p));
    assert.deepEqual(printed, files, "every printed path is a file, every file was printed");
    for (const f of files) {
      const s = read(join(dir, f));
      assert.ok(s.connections.length >= 4000, `${f}: complete (${s.connections.length} sockets)`);
    }
    return { end, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(
  "capture --every: SIGINT, SIGTERM and SIGHUP mid-run finish the file under way; exit 0 unbounded",
  {
    skip,
    timeout: 240_000,
  },
  async () => {
    await busyNamespace("sig", async (wrap) => {
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        const { end, files } = await stopMidRun(wrap, signal, []);
        assert.equal(end.code, 0, `${signal}: ${end.stderr}`);
        assert.match(
          end.stderr,
          new RegExp(`stopped by ${signal} after ${files.length} captures\\n$`),
        );
      }
    });
  },
);

test(
  "capture --every --count: a signal that cuts the run short exits 128+n; a second one ends it at once",
  {
    skip,
    timeout: 240_000,
  },
  async () => {
    await busyNamespace("sig2", async (wrap) => {
      const { end } = await stopMidRun(wrap, "SIGTERM", ["--count", "1000"]);
      assert.equal(end.code, 143, end.stderr);
      assert.match(
        end.stderr,
        /stopped by SIGTERM after \d+ captures \(before the end of the run\)/,
      );

      // Two signals in a row (two kinds, which never merge into one): the second ends the process
      // at once if the first has not ended the run yet, and a temporary file never stays behind.
      const dir = mkdtempSync(join(tmpdir(), "nsnap-sig-"));
      try {
        const run = startNsnap(["capture", "--every", "100ms", "-o", `${dir}/`], { wrap });
        await run.lineCount(2);
        run.signal("SIGINT");
        run.signal("SIGTERM");
        const e = await run.ended;
        // Sent back to back, the two may reach the handlers in either order (the runtime hands
        // each kind over on its own): the second one seen ends the process with its own code.
        assert.ok([0, 130, 143].includes(e.code ?? -1), `exit ${e.code}: ${e.stderr}`);
        assert.deepEqual(tempsIn(dir), []);
        for (const f of snapshotsIn(dir)) assert.ok(read(join(dir, f)).connections.length >= 4000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

test("capture --every: the compiled binary stops as cleanly on SIGTERM", {
  skip: skip ||
    (spawnSync("sh", ["-c", "command -v bun || test -x node_modules/.bin/bun"]).status !== 0 &&
      "needs bun to build the binary"),
  timeout: 240_000,
}, async () => {
  const bin = nsnapBinary();
  await busyNamespace("sigbin", async (wrap) => {
    const { end, files } = await stopMidRun(wrap, "SIGTERM", [], bin);
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, new RegExp(`stopped by SIGTERM after ${files.length} captures`));
  });
});
