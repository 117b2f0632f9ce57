/**
 * The spool that holds a fleet document's hosts until the end: in memory while small, then in a
 * temporary file of mode 0600 that is removed on close; what comes back is exactly what went in,
 * in whole UTF-8 characters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spool } from "../../src/fleet/spool.ts";

function spoolDirs(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith("nsnap-fleet-")).map((n) =>
    join(tmpdir(), n)
  );
}

function text(chunks: Iterable<string | Uint8Array>): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let out = "";
  // Each chunk on its own: a chunk that ended inside a character would throw here.
  for (const c of chunks) out += typeof c === "string" ? c : decoder.decode(c);
  return out;
}

test("a small spool stays in memory and gives its text back in one piece", () => {
  const s = new Spool();
  s.write("a");
  s.write("é🙂");
  assert.equal(s.onDisk, false);
  assert.deepEqual([...s.chunks()], ["aé🙂"]);
  s.close();
});

test("a large spool moves to a 0600 temporary file, returns it exactly, and removes it", () => {
  const before = new Set(spoolDirs());
  const s = new Spool(1000);
  // 3 MiB and more of text with 2-, 3- and 4-byte characters, so chunk ends fall inside some.
  const piece = "host é ü 🙂 € ".repeat(5000) + "\n";
  let all = "";
  for (let i = 0; i < 40; i++) {
    s.write(piece + i);
    all += piece + i;
  }
  assert.equal(s.onDisk, true);
  const dirs = spoolDirs().filter((d) => !before.has(d));
  assert.equal(dirs.length, 1);
  const file = join(dirs[0]!, "hosts");
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const chunks = [...s.chunks()];
  assert.ok(chunks.length > 2, "read back in several chunks");
  assert.equal(text(chunks), all);
  s.close();
  assert.equal(existsSync(dirs[0]!), false);
});
