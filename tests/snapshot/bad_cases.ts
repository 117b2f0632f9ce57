/** The bad inputs in tests/testdata/bad/ and what the one-line error must say about each. */
import { fileURLToPath } from "node:url";

/** Folder of the bad inputs. */
export const BAD_DIR = fileURLToPath(new URL("../testdata/bad/", import.meta.url));
/** A valid snapshot to pair them with. */
export const GOOD = fileURLToPath(new URL("../testdata/good/good.json", import.meta.url));

/** File name → text the message must contain after "Cannot read snapshot <file>: ". */
export const BAD_CASES: Record<string, string> = {
  "alias-bomb.yaml": "alias",
  "bad-counter.json": "counters.Tcp.InSegs: expected integer",
  "bad-enum.yaml": 'connections[0].protocol: expected "tcp" or "udp", got "sctp"',
  "bad-process-key.json": "processes.abc: expected a pid",
  "binary-garbage.bin": "binary data",
  "deep-nesting.json": "connections[0]: expected object, got array",
  "diff-document.json": "nsnap diff document",
  "duplicate-key.json": "duplicate key at line 6, column 5",
  "duplicate-key.yaml": "duplicate key",
  "empty.json": "file is empty",
  "json-array.json": "got an array",
  "json-number.json": "got 42",
  "lossy-counter.json": "counters.Tcp.InSegs: expected integer",
  "malformed.json": "malformed JSON at line 6, column 5",
  "malformed.yaml": "malformed YAML at line 4, column 3",
  "missing-section.json": "routes: required section missing",
  "multi-document.yaml": "more than one YAML document",
  "netstat-output.txt": "plain text",
  "newer-version.json": "written by a newer nsnap (nsnap/v2); this reads nsnap/v1",
  "no-schema-field.json": 'no "schema" field',
  "not-gzip.json.gz": "not gzip",
  "other-schema.json": 'another schema ("foo/v1")',
  "truncated.json": "malformed JSON at line 52",
  "truncated.json.gz": "truncated gzip",
  "whitespace-only.json": "only whitespace",
  "wrong-type-port.json": 'connections[12].localPort: expected integer, got "ssh"',
  "yaml-scalar.yaml": "plain text",
};
