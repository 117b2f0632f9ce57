/**
 * Reading YAML someone else wrote (a hand-edited snapshot, a policy file) without letting it cost
 * more than its size, and writing YAML every reader takes as meant (`writeYaml`). The `yaml`
 * package does the parsing; this adds the checks it lacks:
 *
 * - Aliases are counted by what they expand to, not by how often they are used: 99 aliases to
 *   one 50k-address list are 5 million nodes once zod and the renderers copy them out. The
 *   expansion may add at most `maxAliasNodes` nodes (default 10,000; nsnap never writes an
 *   alias), and an alias inside the collection it names (a cycle) is refused.
 * - Duplicate keys are found in one pass with a set per mapping (the package's own check
 *   compares every pair of keys, quadratic in a mapping's size), and they are compared as the
 *   keys come out in plain data: `700` and `"700"` are the same key, and refused.
 * - Keys must be scalars: a collection as a key has no faithful plain-data form.
 * - Nesting too deep for the parser is an error, not a crash.
 *
 * @module
 */
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
  visit,
} from "yaml";
import { escapeText, escapeYamlUnprintable, YAML_UNPRINTABLE } from "./escape.ts";

/** Nodes that aliases may add to a document when they are expanded. */
export const MAX_ALIAS_NODES = 10_000;

/** Why a YAML text cannot be used, and where (line and column from 1, when known). */
export class YamlProblem extends Error {
  override name = "YamlProblem";
  constructor(readonly what: string, readonly line?: number, readonly column?: number) {
    super(line === undefined ? what : `${what} at line ${line}, column ${column}`);
  }

  /** "at line 3, column 5" (or "" when the place is unknown). */
  get where(): string {
    return this.line === undefined ? "" : ` at line ${this.line}, column ${this.column}`;
  }
}

/** How to read a YAML document. */
export interface YamlReadOptions {
  /** Read integers as bigint (then `reviver` decides what they become). */
  intAsBigInt?: boolean;
  /** Passed to the package's toJS: turns each value into what the caller wants. */
  reviver?: (key: unknown, value: unknown) => unknown;
  /** Nodes aliases may add when expanded (default MAX_ALIAS_NODES). */
  maxAliasNodes?: number;
}

/**
 * Parses one YAML 1.2 document into plain data, with the checks above.
 * @throws YamlProblem for anything it cannot use.
 */
export function readYaml(text: string, opts: YamlReadOptions = {}): unknown {
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      uniqueKeys: false,
      intAsBigInt: opts.intAsBigInt ?? false,
      prettyErrors: false,
      version: "1.2",
      lineCounter: lines,
      // Problems become errors here; no warning goes to the console ("silent" would also
      // drop the error for a second document).
      logLevel: "error",
    });
  } catch (err) {
    if (err instanceof RangeError) throw new YamlProblem("nested too deeply");
    throw err;
  }
  const at = (offset: number | undefined) => {
    if (offset === undefined) return [undefined, undefined] as const;
    const p = lines.linePos(offset);
    return [p.line, p.col] as const;
  };
  const err = doc.errors[0];
  if (err) {
    const what = err.code === "MULTIPLE_DOCS"
      ? "more than one YAML document (one is expected)"
      // The package's message quotes the source text, control characters and all.
      : escapeText(
        (err.message.split("\n")[0] ?? err.message).replace(/ at line [0-9]+, column [0-9]+:?$/, "")
          .trimEnd(),
      );
    throw new YamlProblem(what, ...at(err.pos[0]));
  }
  checkNodes(doc.contents, opts.maxAliasNodes ?? MAX_ALIAS_NODES, at);
  try {
    return doc.toJS({
      maxAliasCount: -1, // counted above, by expansion
      ...(opts.reviver ? { reviver: opts.reviver } : {}),
    });
  } catch (e) {
    if (e instanceof RangeError) throw new YamlProblem("nested too deeply");
    throw e;
  }
}

type At = (offset: number | undefined) => readonly [number | undefined, number | undefined];

/** The text a scalar key becomes in plain data (as the package's toJS stringifies it). */
function keyText(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function offsetOf(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/**
 * One pass in document order: keys (scalar, unique), anchors and the node each alias names; then
 * the size of the document with every alias expanded, memoised per node, cycles refused.
 */
function checkNodes(root: unknown, maxAliasNodes: number, at: At): void {
  const anchors = new Map<string, unknown>();
  const target = new Map<unknown, unknown>();
  const stack: unknown[] = [root];
  let real = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || node === undefined) continue;
    real++;
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    if (isAlias(node)) {
      const t = anchors.get(node.source);
      if (t === undefined) {
        throw new YamlProblem(
          `alias *${node.source} names no anchor before it`,
          ...at(offsetOf(node)),
        );
      }
      target.set(node, t);
    } else if (isMap(node)) {
      const seen = new Set<string>();
      const children: unknown[] = [];
      for (const pair of node.items) {
        const key = pair.key;
        if (key !== null && !isScalar(key)) {
          throw new YamlProblem("a mapping key must be a plain value", ...at(offsetOf(key)));
        }
        if (key?.anchor) anchors.set(key.anchor, key);
        const k = keyText(key === null ? null : key.value);
        if (seen.has(k)) {
          throw new YamlProblem("duplicate key", ...at(offsetOf(key) ?? offsetOf(pair.value)));
        }
        seen.add(k);
        children.push(pair.value);
      }
      // Reversed, so that the stack hands them out in document order.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (isPair(node)) {
      // A pair inside a sequence (`[a: b]`): its key is checked like a mapping's.
      if (node.key !== null && !isScalar(node.key)) {
        throw new YamlProblem("a mapping key must be a plain value", ...at(offsetOf(node.key)));
      }
      stack.push(node.value);
    }
  }
  if (target.size === 0) return;
  const expanded = expandedSize(root, target, at);
  if (expanded - real > maxAliasNodes) {
    throw new YamlProblem(
      `aliases expand to more than ${maxAliasNodes} extra nodes (an alias bomb?); refused`,
    );
  }
}

/** Nodes in the document once every alias is replaced by what it names (capped at 1e15). */
function expandedSize(root: unknown, target: Map<unknown, unknown>, at: At): number {
  const size = new Map<unknown, number>();
  const open = new Set<unknown>();
  const children = (node: unknown): unknown[] => {
    if (isAlias(node)) return [target.get(node)];
    if (isMap(node)) return node.items.map((p) => p.value);
    if (isSeq(node)) return node.items;
    if (isPair(node)) return [node.value];
    return [];
  };
  // Iterative post-order: a frame is entered once, then summed once its children are done.
  const stack: Array<{ node: unknown; entered: boolean }> = [{ node: root, entered: false }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { node } = frame;
    if (node === null || node === undefined || size.has(node) && !frame.entered) {
      stack.pop();
      continue;
    }
    const kids = children(node);
    if (!frame.entered) {
      frame.entered = true;
      open.add(node);
      for (const k of kids) {
        if (k === null || k === undefined || size.has(k)) continue;
        if (open.has(k)) {
          throw new YamlProblem(
            "an alias names the collection that holds it (a cycle)",
            ...at(offsetOf(node)),
          );
        }
        stack.push({ node: k, entered: false });
      }
      continue;
    }
    stack.pop();
    open.delete(node);
    let n = isAlias(node) ? 0 : 1;
    for (const k of kids) n += k === null || k === undefined ? 0 : size.get(k) ?? 0;
    size.set(node, Math.min(n, 1e15));
  }
  return size.get(root) ?? 0;
}

/**
 * Plain data as block YAML 1.2 that YAML 1.1 readers (PyYAML, Ansible) read the same: no
 * aliases, no folded lines, and strings such as `yes`, `on`, `12:30`, `0b11` or a timestamp, which
 * 1.1 reads as booleans, numbers or dates, quoted (`compat`). The package writes DEL, C1 controls,
 * NEL, LS, PS, U+FFFE and U+FFFF raw (even unquoted), which PyYAML refuses or, for NEL, LS and
 * PS, reads as line breaks; strings holding them are double-quoted here and the characters
 * escaped (`escapeYamlUnprintable`), the only place of the text they can then stand.
 */
export function writeYaml(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false, compat: "yaml-1.1" });
  let quoted = false;
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && YAML_UNPRINTABLE.test(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
        quoted = true;
      }
    },
  });
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0 });
  return quoted ? escapeYamlUnprintable(text) : text;
}
