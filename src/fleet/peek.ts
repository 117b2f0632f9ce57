/**
 * A streaming peek at a snapshot's `schema` and `meta`: enough to know which host it is, without
 * loading its connections. A fleet diff pairs hundreds of snapshots this way before it loads
 * any of them, and then loads each one once.
 *
 * Decisions:
 * - The file is read in 64 KiB chunks (gunzipped on the fly when it starts with gzip's magic
 *   bytes) until both values are complete; nsnap writes them first, so one chunk usually does.
 *   Only the text of those two values is kept, so memory stays small wherever they sit.
 * - JSON: a scanner tracks strings and nesting and cuts out the top-level `schema` and `meta`
 *   values. YAML: the top-level `schema:` line and the `meta:` block (lines indented below it),
 *   in block style as nsnap writes it.
 * - Whatever the peek cannot read (flow-style YAML, a truncated or odd file, a value the schema
 *   refuses) gives `undefined`: the caller then loads the whole file, whose reader reports any
 *   fault in its usual words.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { parse as parseYaml } from "yaml";
import type { Meta } from "../model.ts";
import { SCHEMA_ID } from "../model.ts";
import { Meta as MetaSchema } from "../schema.ts";
import { dict } from "../util/record.ts";
import { parseNsnapYaml } from "../snapshot/yaml_fast.ts";

/** How much is read per step. */
const CHUNK = 64 * 1024;

/** Where the JSON scanner is inside the top-level object. */
type JsonState = "start" | "key" | "in-key" | "colon" | "value" | "in-value" | "end";

/**
 * Scans JSON text chunk by chunk for the top-level `schema` and `meta` values. A value runs from
 * its first character to the `,` or `}` that follows it at the top level (outside strings), so
 * scalars and nested values end the same way. Text before the value being kept is dropped.
 */
export class JsonHeadScanner {
  #buf = "";
  /** Absolute offset of `#buf[0]` in the whole text. */
  #base = 0;
  #pos = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #state: JsonState = "start";
  #keyStart = -1;
  #key = "";
  #valueStart = -1;
  /** Raw text of the values found, by key. */
  readonly values = new Map<string, string>();
  #failed = false;

  /** True when both values have been found, or the text cannot have them. */
  get done(): boolean {
    return this.#failed || (this.values.has("schema") && this.values.has("meta"));
  }

  /** True when the text turned out not to be a JSON object with both values. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Feeds the next piece of text. */
  feed(text: string): void {
    this.#buf += text;
    const buf = this.#buf, base = this.#base;
    let i = this.#pos - base;
    for (; i < buf.length && !this.done; i++) {
      const ch = buf[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (ch === "\\") this.#escaped = true;
        else if (ch === '"') {
          this.#inString = false;
          if (this.#state === "in-key") this.#endKey(buf.slice(this.#keyStart - base, i + 1));
        }
        continue;
      }
      if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") continue;
      if (this.#depth === 0) {
        if (ch !== "{" || this.#state !== "start") return this.#fail();
        this.#depth = 1;
        this.#state = "key";
        continue;
      }
      const top = this.#depth === 1;
      if (top && this.#state === "value") {
        this.#state = "in-value";
        this.#valueStart = base + i;
      }
      switch (ch) {
        case '"':
          this.#inString = true;
          if (top && this.#state === "key") {
            this.#state = "in-key";
            this.#keyStart = base + i;
          }
          break;
        case "{":
        case "[":
          this.#depth++;
          break;
        case "}":
        case "]":
          if (top) {
            if (this.#state === "in-value") this.#endValue(buf, i);
            this.#state = "end";
            this.#depth = 0;
            if (!this.done) return this.#fail();
          } else this.#depth--;
          break;
        case ":":
          if (top && this.#state === "colon") this.#state = "value";
          break;
        case ",":
          if (top) {
            if (this.#state === "in-value") this.#endValue(buf, i);
            this.#state = "key";
          }
          break;
      }
    }
    this.#pos = base + i;
    // Keep only what a value or key being read still needs.
    const keep = this.#state === "in-value" && this.#wanted()
      ? this.#valueStart
      : this.#state === "in-key"
      ? this.#keyStart
      : this.#pos;
    this.#buf = this.#buf.slice(keep - base);
    this.#base = keep;
  }

  #wanted(): boolean {
    return this.#key === "schema" || this.#key === "meta";
  }

  #endKey(raw: string): void {
    try {
      this.#key = JSON.parse(raw) as string;
    } catch {
      this.#key = "";
    }
    this.#state = "colon";
  }

  #endValue(buf: string, i: number): void {
    if (this.#wanted() && !this.values.has(this.#key)) {
      this.values.set(this.#key, buf.slice(this.#valueStart - this.#base, i).trim());
    }
  }

  #fail(): void {
    this.#failed = true;
  }
}

/** Collects the `schema:` line and the `meta:` block of block-style YAML, line by line. */
export class YamlHeadScanner {
  #rest = "";
  #inMeta = false;
  #lines: string[] = [];
  #schema = false;
  #meta = false;
  #failed = false;

  get done(): boolean {
    return this.#failed || (this.#schema && this.#meta);
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** The collected text: a YAML mapping of the two keys. */
  get text(): string {
    return this.#lines.join("\n") + "\n";
  }

  feed(text: string): void {
    const lines = (this.#rest + text).split("\n");
    this.#rest = lines.pop() ?? "";
    for (const line of lines) {
      this.#line(line.endsWith("\r") ? line.slice(0, -1) : line);
      if (this.done) return;
    }
  }

  /** The end of the text: the last line has no newline. */
  end(): void {
    if (this.#rest !== "") this.#line(this.#rest);
    this.#rest = "";
    if (this.#inMeta) this.#meta = true;
    this.#inMeta = false;
  }

  #line(line: string): void {
    const body = line.trimStart();
    if (body === "" || body.startsWith("#")) {
      if (this.#inMeta) this.#lines.push(line);
      return;
    }
    const top = body.length === line.length;
    if (this.#inMeta && !top) {
      this.#lines.push(line);
      return;
    }
    if (this.#inMeta) {
      this.#inMeta = false;
      this.#meta = true;
      if (this.done) return;
    }
    if (body === "---" || body.startsWith("%")) return;
    // Only block-style top-level keys are read here; anything else goes to the full reader.
    if (!top || /^[{[\-?&*!|>]/.test(body)) {
      this.#failed = true;
      return;
    }
    if (/^"?schema"?\s*:/.test(body)) {
      this.#schema = true;
      this.#lines.push(line);
    } else if (/^"?meta"?\s*:\s*$/.test(body)) {
      this.#inMeta = true;
      this.#lines.push(line);
    }
  }
}

/** What a peek found: the document's schema id and its meta, checked against the schema. */
export interface Head {
  schema: string;
  meta: Meta;
}

function checked(schema: unknown, meta: unknown): Head | undefined {
  if (schema !== SCHEMA_ID) return undefined;
  const r = MetaSchema.safeParse(meta);
  if (!r.success) return undefined;
  // As the full reader gives them: label keys are input text, kept in a prototype-free record.
  const labels = meta !== null && typeof meta === "object"
    ? (meta as { labels?: unknown }).labels
    : undefined;
  r.data.labels = dict(
    Object.entries(labels ?? {}).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
  return { schema, meta: r.data };
}

function parseJsonHead(values: Map<string, string>): Head | undefined {
  try {
    return checked(JSON.parse(values.get("schema") ?? ""), JSON.parse(values.get("meta") ?? ""));
  } catch {
    return undefined;
  }
}

function parseYamlHead(text: string): Head | undefined {
  try {
    const doc = (parseNsnapYaml(text) ??
      parseYaml(text, { uniqueKeys: true, maxAliasCount: 0, version: "1.2" })) as
        | Record<string, unknown>
        | undefined;
    return doc && typeof doc === "object" ? checked(doc.schema, doc.meta) : undefined;
  } catch {
    return undefined;
  }
}

function isGzip(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const b = new Uint8Array(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a snapshot file's `schema` and `meta` without loading the rest; undefined when the
 * file cannot be read that way (the caller then reads it whole, with the usual messages).
 *
 * @example
 * ```ts
 * import { peekHead } from "./peek.ts";
 * const head = await peekHead("snapshots/examples/before.json");
 * console.log(head?.meta.host.hostname); // "vm"
 * ```
 */
export async function peekHead(path: string): Promise<Head | undefined> {
  let gz: boolean;
  try {
    gz = isGzip(path);
  } catch {
    return undefined;
  }
  const file = createReadStream(path, { highWaterMark: CHUNK });
  const stream = gz ? file.pipe(createGunzip({ chunkSize: CHUNK })) : file;
  // Not fatal: bytes past `meta` are not this reader's business (the full reader checks them).
  const decoder = new TextDecoder("utf-8");
  let json: JsonHeadScanner | undefined, yaml: YamlHeadScanner | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      if (!json && !yaml) {
        const first = /\S/.exec(text)?.[0];
        if (first === undefined) continue;
        if (first === "{") json = new JsonHeadScanner();
        else yaml = new YamlHeadScanner();
      }
      const scanner = (json ?? yaml)!;
      scanner.feed(text);
      if (scanner.done) break;
    }
  } catch {
    return undefined;
  } finally {
    file.destroy();
    if (gz) (stream as ReturnType<typeof createGunzip>).destroy();
  }
  if (json) return json.failed || !json.done ? undefined : parseJsonHead(json.values);
  if (yaml) {
    yaml.end();
    return yaml.failed || !yaml.done ? undefined : parseYamlHead(yaml.text);
  }
  return undefined;
}
