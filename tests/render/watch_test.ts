/**
 * The watch screen as a pure function of a state: exactly the terminal's rows, never wider than
 * its columns (80×24 and larger, where it shows more), every hostile name escaped, no colour
 * without being asked (NO_COLOR), each pane and the frozen, recording and too-small screens.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection, Snapshot } from "../../src/model.ts";
import { renderWatch, share } from "../../src/render/watch.ts";
import { textWidth } from "../../src/render/table.ts";
import {
  addSample,
  noteProblem,
  noteRecorded,
  PANES,
  pressKey,
  startWatch,
  type WatchState,
} from "../../src/watch/model.ts";
import { conn, iface, listen, proc, procs, snap } from "../diff/_build.ts";

const EVIL = "x\x1b[2J\x1b]0;pwned\x07\u202ey\n";
const at = (s: number) => new Date(Date.parse("2026-03-01T10:00:00.000Z") + s * 1000).toISOString();
// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

function sample(sec: number, evil = false): Snapshot {
  const name = evil ? EVIL : "eth0";
  const l: Connection = { ...listen("0.0.0.0", 8080, 7), recvQ: 3 };
  const s = snap(at(sec), {
    connections: [
      listen("0.0.0.0", 22, 1),
      ...(sec > 1 ? [l] : []),
      ...Array.from({ length: 30 }, (_, k) => conn("10.0.0.5", 40000 + k, `10.1.${k}.9`, 443)),
    ],
    processes: procs(proc(1, "sshd"), { ...proc(7, evil ? EVIL : "python3") }),
    interfaces: Array.from({ length: 8 }, (_, k) =>
      iface(k === 0 ? name : `veth${k}`, {
        index: k + 2,
        stats: { rxBytes: BigInt(1500 * sec * (k + 1)), txBytes: BigInt(700 * sec) },
      })),
    counters: {
      Tcp: {
        RetransSegs: BigInt(7 * sec),
        OutRsts: BigInt(sec),
        EstabResets: 0n,
        AttemptFails: 0n,
      },
      TcpExt: { ListenOverflows: BigInt(sec > 2 ? 4 : 0), ListenDrops: 0n },
      Udp: { InErrors: 0n, RcvbufErrors: 0n, NoPorts: BigInt(2 * sec) },
      Ip: { InDiscards: 0n, OutDiscards: 0n },
    },
  });
  if (evil) s.meta.host.hostname = EVIL;
  return s;
}

function watched(evil = false): WatchState {
  let s = startWatch(evil ? EVIL : "web-1", 1000);
  for (let i = 1; i <= 4; i++) s = addSample(s, sample(i, evil));
  return s;
}

function assertFits(lines: readonly string[], cols: number, rows: number, what: string) {
  assert.equal(lines.length, rows, `${what}: ${rows} lines`);
  for (const l of lines) {
    assert.ok(textWidth(l.replace(SGR, "")) <= cols, `${what}: too wide (${textWidth(l)}): ${l}`);
    const raw = [...l.replace(SGR, "")].filter((ch) =>
      ch < " " || ch === "\x7f" || ch === "\u202e"
    );
    assert.deepEqual(raw, [], `${what}: raw control character in ${JSON.stringify(l)}`);
  }
}

test("renderWatch(): every pane fits 80×24, and larger terminals, exactly", () => {
  for (const [cols, rows] of [[80, 24], [120, 40], [200, 60], [40, 10]] as const) {
    for (const evil of [false, true]) {
      let s = watched(evil);
      for (const [i, pane] of PANES.entries()) {
        s = pressKey(s, String(i + 1));
        assert.equal(s.pane, pane);
        for (const color of [false, true]) {
          assertFits(renderWatch(s, { cols, rows, color }), cols, rows, `${pane} ${cols}×${rows}`);
        }
      }
    }
  }
});

test("renderWatch(): the overview shows the notable rates, traffic, sessions and the changes", () => {
  const text = renderWatch(watched(), { cols: 80, rows: 24, color: false }).join("\n");
  assert.match(text, /^nsnap watch {2}web-1 {2}10:00:04 UTC {2}every 1s {2}#4$/m);
  assert.match(text, /^\[1 Overview\] {2}2 Sessions {3}3 Listeners {3}4 Changes/m);
  assert.match(text, /^TCP segments retransmitted +7\.00 +21$/m);
  assert.match(text, /^listen queue overflows +0\.00 +4$/m);
  assert.match(text, /^veth7 +11\.7 KiB\/s +700 B\/s/m, "busiest interface first");
  assert.match(text, /^Sessions 30: ESTABLISHED 30$/m);
  assert.match(text, /10:00:02 ! listener-opened {2}tcp 0\.0\.0\.0:8080 opened by python3/);
  assert.match(text, /q: quit$/);
});

test("renderWatch(): a taller terminal shows more rows of the same tables", () => {
  const rows = (h: number, re: RegExp) =>
    renderWatch(watched(), { cols: 100, rows: h, color: false }).filter((l) => re.test(l)).length;
  const still = / 0\.00 +0$/; // counters that did not move
  assert.ok(rows(24, still) < rows(60, still), `${rows(24, still)} → ${rows(60, still)}`);
  assert.equal(rows(60, still), 7, "every counter once there is room");
  assert.ok(rows(12, /^veth\d/) < rows(24, /^veth\d/));
});

test("renderWatch(): listeners with their accept queues; the backlog column only where known", () => {
  let s = pressKey(watched(), "3");
  let text = renderWatch(s, { cols: 80, rows: 24, color: false }).join("\n");
  assert.match(text, /^2 listening sockets; accept queues \(Recv-Q\), fullest first$/m);
  assert.match(text, /^tcp +0\.0\.0\.0:8080 +python3 \(7\) +3$/m);
  assert.doesNotMatch(text, /Backlog/);
  const withBacklog = sample(5);
  withBacklog.connections = withBacklog.connections.map((c) =>
    c.localPort === 8080 ? { ...c, backlog: 4 } as Connection : c
  );
  s = addSample(s, withBacklog);
  text = renderWatch(s, { cols: 80, rows: 24, color: false }).join("\n");
  assert.match(text, /Recv-Q +Backlog +full/);
  assert.match(text, /^tcp +0\.0\.0\.0:8080 +python3 \(7\) +3 +4 +75%$/m);
});

test("renderWatch(): sessions by state and remote service; changes scroll back", () => {
  const s = pressKey(watched(), "2");
  const text = renderWatch(s, { cols: 80, rows: 24, color: false }).join("\n");
  assert.match(text, /^30 connected sockets \(sessions\)$/m);
  assert.match(text, /^tcp → 10\.1\.0\.9:443 +1$/m);
  const c = pressKey(watched(), "4");
  const lines = renderWatch(c, { cols: 80, rows: 24, color: false });
  assert.match(lines[2]!, /^1 change since 10:00:01$/);
  const back = renderWatch(pressKey(c, "k"), { cols: 80, rows: 24, color: false });
  assert.match(back[2]!, /, 0 back|since 10:00:01$/);
});

test("renderWatch(): hostile host, interface and program names are escaped", () => {
  const lines = renderWatch(watched(true), { cols: 200, rows: 40, color: true });
  const text = lines.join("\n").replace(SGR, "");
  assert.ok(text.includes("x\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}y\\n"), text);
  assert.ok(!text.includes("\x1b]0;"), "no raw OSC");
  // Escaped once, in the tables too: a backslash escaped again would read as one in the name.
  assert.ok(!text.includes("\\\\x1b"), text);
  for (const pane of ["2", "3"]) {
    const more = renderWatch(pressKey(watched(true), pane), { cols: 200, rows: 40, color: false });
    assert.ok(!more.join("\n").includes("\\\\x1b"), more.join("\n"));
  }
});

test("renderWatch(): no colour codes at all without colour (NO_COLOR); colour adds only SGR", () => {
  for (const pane of ["1", "2", "3", "4"]) {
    const s = pressKey(watched(), pane);
    const plain = renderWatch(s, { cols: 80, rows: 24, color: false }).join("\n");
    assert.ok(!plain.includes("\x1b"), `pane ${pane}: an escape without colour`);
    const colored = renderWatch(s, { cols: 80, rows: 24, color: true }).join("\n");
    assert.equal(colored.replace(SGR, ""), plain, `pane ${pane}: colour changes only colour`);
  }
});

test("renderWatch(): frozen, recording, a problem, and a terminal too small", () => {
  let s = noteRecorded(noteRecorded({ ...watched(), recording: { folder: "inc/", files: 0 } }));
  s = pressKey(s, "f");
  const lines = renderWatch(s, { cols: 80, rows: 24, color: false });
  assert.match(lines[0]!, /REC 2 {2}FROZEN$/);
  assert.match(lines[23]!, /^FROZEN: space\/f to resume/);
  const p = renderWatch(noteProblem(s, "capture failed: \x1b[31m"), {
    cols: 80,
    rows: 24,
    color: false,
  });
  assert.equal(p[23], "capture failed: \\x1b[31m");
  const small = renderWatch(s, { cols: 30, rows: 8, color: false });
  assertFits(small, 30, 8, "too small");
  assert.match(small.join("\n"), /terminal too small \(30×8\)/);
  assert.equal(
    renderWatch(startWatch("h", 1000), { cols: 80, rows: 24, color: false })[2],
    "waiting for the first samples…",
  );
});

test("share(): minimums first, then the rest in order, never more than asked or than there is", () => {
  assert.deepEqual(share(20, [{ want: 17, min: 4 }, { want: 9, min: 3 }, { want: 2, min: 2 }]), [
    15,
    3,
    2,
  ]);
  assert.deepEqual(share(5, [{ want: 17, min: 4 }, { want: 9, min: 3 }]), [4, 1]);
  assert.deepEqual(share(50, [{ want: 3, min: 4 }, { want: 2, min: 3 }]), [3, 2]);
});

test("renderWatch(): another namespace's interfaces and listeners carry its id, escaped", () => {
  const ns = (sec: number): Snapshot => {
    const s = sample(sec);
    s.interfaces.push(iface("eth0", {
      namespace: `docker:${EVIL}`,
      stats: { rxBytes: BigInt(90_000 * sec), txBytes: 0n },
    }));
    s.connections.push({ ...listen("0.0.0.0", 80, 1), namespace: "docker:web" });
    return s;
  };
  let s = addSample(addSample(startWatch("web-1", 1000), ns(1)), ns(2));
  const overview = renderWatch(s, { cols: 80, rows: 24, color: false });
  assertFits(overview, 80, 24, "overview");
  assert.ok(overview.some((l) => l.startsWith("docker:x\\x1b[2J")), overview.join("\n"));
  s = pressKey(s, "3");
  const listeners = renderWatch(s, { cols: 80, rows: 24, color: false });
  assert.ok(
    listeners.some((l) => /^tcp +docker:web 0\.0\.0\.0:80 +sshd/.test(l)),
    listeners.join("\n"),
  );
});
