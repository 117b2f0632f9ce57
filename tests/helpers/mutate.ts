/**
 * Hostile inputs for the fuzz tests: real snapshots and real tool outputs, mutated from a seed
 * (cut short, bytes flipped, junk inserted — prototype keys, huge numbers, deep nesting, YAML
 * aliases, control characters, escaped colons — spans duplicated or deleted, sometimes gzipped).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const TESTDATA = fileURLToPath(new URL("../testdata/", import.meta.url));
const enc = new TextEncoder();

function files(dir: string, test: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, test));
    else if (test(name)) out.push(p);
  }
  return out.sort();
}

/**
 * Real tool outputs for the importers: the shared fixtures, plus captures of the formats they
 * have no copy of (`/proc/net/udp`, lsof in both layouts, `ip -j route`, and the routing
 * sections' rules, neighbours, qdiscs, settings and firewall outputs).
 */
export function importSeedPaths(): string[] {
  return [
    ...files(join(TESTDATA, "fixtures"), (n) => n.endsWith(".txt")),
    ...files(join(TESTDATA, "import-seeds"), (n) => n.endsWith(".txt")),
    ...files(join(TESTDATA, "ip-route"), (n) => n.endsWith(".json")),
    ...files(join(TESTDATA, "routing"), (n) => /\.(txt|json)$/.test(n)),
    join(TESTDATA, "darwin", "lsof-columns.txt"),
    join(TESTDATA, "darwin", "capture", "lsof-F.txt"),
  ];
}

/** The real inputs mutations start from: snapshots (`loader`) or tool outputs (`import`). */
export function seedInputs(kind: "loader" | "import"): Uint8Array[] {
  if (kind === "import") return importSeedPaths().map((f) => readFileSync(f));
  return [
    ...files(join(TESTDATA, "good"), (n) => /\.(json|yaml)$/.test(n)).map((f) => readFileSync(f)),
    ...files(
      fileURLToPath(new URL("../../snapshots/examples/", import.meta.url)),
      (n) => n.endsWith(".json"),
    ).map((f) => readFileSync(f)),
  ];
}

/** Text that hostile input is made of. */
const JUNK = [
  "__proto__",
  "constructor",
  '"__proto__": {"a": 1}, ',
  '"constructor": {"toString": 1}, ',
  "toString:",
  "hasOwnProperty ",
  "99999999999999999999999999999999999999",
  "18446744073709551616",
  "-9223372036854775809",
  "1e400",
  "-0",
  "NaN",
  "1208925819614629174706176",
  "100000000000000000000",
  "FFFFFFFFFFFFFFFFFFFF",
  "[".repeat(5000),
  "{".repeat(3000),
  "&a [*a, *a, *a]",
  "*a",
  "&b ",
  "<<: *a",
  "\x1b]0;x\x07",
  "\x00",
  "\u202e",
  "\ud800",
  "\r\n",
  "\t",
  "\\u003a",
  '"a": 1, "a": 2, ',
  "# comment\n",
  "---\n",
  "!!binary ",
  "[a: b]",
];

/** The numbers of JUNK: a number of the input becomes one of these. */
const BIG_NUMBERS = JUNK.slice(6, 15);

/** A seeded source of mutations (mulberry32: small, deterministic). */
export class Mutator {
  #state: number;
  constructor(seed: number, private readonly gzipSometimes: boolean) {
    this.#state = seed >>> 0;
  }

  #rand(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  #int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  /** One of `xs`. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.#int(xs.length)]!;
  }

  /** One to four mutations of `seed`. */
  mutate(seed: Uint8Array): Uint8Array {
    let b = Array.from(seed);
    for (let n = 1 + this.#int(4); n > 0; n--) {
      const at = b.length ? this.#int(b.length) : 0;
      switch (this.#int(6)) {
        case 0:
          b = b.slice(0, at);
          break;
        case 1:
          b[at] = this.#int(256);
          break;
        case 2:
          b.splice(at, 0, ...enc.encode(this.pick(JUNK)));
          break;
        case 3:
          b.splice(at, 0, ...b.slice(at, at + this.#int(200)));
          break;
        case 4:
          b.splice(at, this.#int(100));
          break;
        default: {
          // A number becomes a huge or negative one.
          const text = new TextDecoder().decode(Uint8Array.from(b));
          const m = /[0-9]+/g;
          m.lastIndex = this.#int(Math.max(1, text.length));
          const hit = m.exec(text);
          if (hit) {
            const big = this.pick(BIG_NUMBERS);
            b = Array.from(
              enc.encode(text.slice(0, hit.index) + big + text.slice(hit.index + hit[0].length)),
            );
          }
        }
      }
    }
    const out = Uint8Array.from(b);
    return this.gzipSometimes && this.#int(10) === 0 ? gzipSync(out) : out;
  }
}
