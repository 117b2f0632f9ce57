/**
 * Finds where JSON text goes wrong. `JSON.parse` errors differ between runtimes (Bun's carry no
 * position), so on the error path nsnap scans the text itself to name the line and column. The
 * same scan finds a duplicate key, which `JSON.parse` resolves silently (last wins): it compares
 * keys as they decode (`"a:"` and `"a\u003a"` are one key), with a set per open object.
 */

/** Where and why a JSON text is invalid. */
export interface JsonErrorLocation {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Returns the first syntax error in JSON text, or undefined when the text is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  return scan(text, false);
}

/**
 * Returns where the first duplicate key (or syntax error) of JSON text is, or undefined when
 * every object's keys are distinct; the reason of a duplicate is `duplicate key "<key>"`.
 */
export function findDuplicateKey(text: string): JsonErrorLocation | undefined {
  return scan(text, true);
}

function scan(text: string, checkKeys: boolean): JsonErrorLocation | undefined {
  const n = text.length;
  const stack: Array<"object" | "array"> = [];
  const keySets: Array<Set<string> | undefined> = [];
  let i = 0;
  let state: "value" | "key" | "after" = "value";

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const fail = (expected: string): JsonErrorLocation => {
    const got = i >= n ? "end of text" : `'${String.fromCodePoint(text.codePointAt(i)!)}'`;
    return at(text, i, `expected ${expected}, got ${got}`);
  };
  const string = (): JsonErrorLocation | undefined => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return undefined;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            return fail("4 hex digits after \\u");
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          i++;
          return fail("an escape character");
        }
        continue;
      }
      if (c < 0x20) return at(text, i, "control character inside a string");
      i++;
    }
    return at(text, n, "unterminated string, got end of text");
  };

  for (;;) {
    ws();
    if (state === "value") {
      const c = text[i];
      if (c === "{") {
        i++;
        ws();
        if (text[i] === "}") {
          i++;
          state = "after";
        } else {
          stack.push("object");
          keySets.push(checkKeys ? new Set() : undefined);
          state = "key";
        }
      } else if (c === "[") {
        i++;
        ws();
        if (text[i] === "]") {
          i++;
          state = "after";
        } else {
          stack.push("array");
          keySets.push(undefined);
        }
      } else if (c === '"') {
        const e = string();
        if (e) return e;
        state = "after";
      } else if (c === "t" || c === "f" || c === "n") {
        const word = c === "t" ? "true" : c === "f" ? "false" : "null";
        if (!text.startsWith(word, i)) return fail("a value");
        i += word.length;
        state = "after";
      } else {
        NUMBER.lastIndex = i;
        if (!NUMBER.test(text)) return fail("a value");
        i = NUMBER.lastIndex;
        state = "after";
      }
    } else if (state === "key") {
      if (text[i] !== '"') return fail("a quoted key");
      const start = i;
      const e = string();
      if (e) return e;
      const keys = keySets[keySets.length - 1];
      if (keys) {
        const token = text.slice(start, i);
        const key = token.includes("\\") ? JSON.parse(token) as string : token.slice(1, -1);
        if (keys.has(key)) return at(text, start, `duplicate key ${JSON.stringify(key)}`);
        keys.add(key);
      }
      ws();
      if (text[i] !== ":") return fail("':' after the key");
      i++;
      state = "value";
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        return i < n ? fail("end of text after the document") : undefined;
      }
      const c = text[i];
      if (c === ",") {
        i++;
        state = top === "object" ? "key" : "value";
      } else if ((c === "}" && top === "object") || (c === "]" && top === "array")) {
        i++;
        stack.pop();
        keySets.pop();
      } else {
        return fail(top === "object" ? "',' or '}'" : "',' or ']'");
      }
    }
  }
}

/** Builds a location from an offset (line and column counted from 1). */
function at(text: string, offset: number, reason: string): JsonErrorLocation {
  let line = 1, lineStart = 0;
  for (let p = text.indexOf("\n"); p >= 0 && p < offset; p = text.indexOf("\n", p + 1)) {
    line++;
    lineStart = p + 1;
  }
  return { offset, line, column: offset - lineStart + 1, reason };
}
