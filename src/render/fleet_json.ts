/**
 * The `nsnap-fleet-diff/v1` document as JSON or YAML, in pieces: the head (everything but
 * `hosts`) split around the hosts list, and one piece per host, so that a command can write the
 * hosts one at a time and never hold them all. The pieces joined are exactly the whole document
 * rendered at once (`renderFleetJson`), which the tests hold them to. Bigints are written as in
 * every nsnap document: a JSON number while safe, a decimal string beyond.
 */
import { FleetDiffDocument, type FleetHead, type HostEntry } from "../fleet/schema.ts";
import { plainDiff } from "./diff_json.ts";
import { writeYaml } from "../util/yaml.ts";

/** The head's fields in the schema's order (hosts last), undefined ones left out. */
function ordered(head: FleetHead): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const h = head as unknown as Record<string, unknown>;
  for (const k of Object.keys(FleetDiffDocument.shape)) {
    if (k !== "hosts" && h[k] !== undefined) out[k] = plainDiff(h[k]);
  }
  return out;
}

/** What a streamed document is made of: text before the hosts, each host, text after. */
export interface DocumentPieces {
  open: string;
  host: (entry: HostEntry, index: number) => string;
  /** The text after the hosts, given how many were written. */
  close: (hosts: number) => string;
}

/** Every non-empty line of `text` prefixed with `by`. */
export function indentLines(text: string, by: string): string {
  return text.split("\n").map((l) => (l === "" ? l : by + l)).join("\n");
}

/** One host of the JSON document: it depends on its index only, not on the head. */
export function fleetJsonHost(entry: HostEntry, index: number): string {
  return `${index === 0 ? "\n" : ",\n"}${
    indentLines(JSON.stringify(plainDiff(entry), null, 2), "    ")
  }`;
}

/** One host of the YAML document: it depends on its index only, not on the head. */
export function fleetYamlHost(entry: HostEntry, index: number): string {
  return (index === 0 ? "hosts:\n" : "") +
    indentLines(writeYaml([plainDiff(entry)]), "  ");
}

/** The JSON document in pieces (indented as `JSON.stringify(doc, null, 2)` would). */
export function fleetJsonPieces(head: FleetHead): DocumentPieces {
  const whole = JSON.stringify({ ...ordered(head), hosts: [] }, null, 2);
  const cut = whole.lastIndexOf("[]");
  return {
    open: whole.slice(0, cut + 1),
    host: fleetJsonHost,
    close: (n) => (n === 0 ? "" : "\n  ") + whole.slice(cut + 1) + "\n",
  };
}

/** The YAML document in pieces: the head's keys, then `hosts:` with one item per host. */
export function fleetYamlPieces(head: FleetHead): DocumentPieces {
  const top = writeYaml(ordered(head));
  return {
    open: top,
    host: fleetYamlHost,
    close: (n) => (n === 0 ? "hosts: []\n" : ""),
  };
}

function whole(pieces: DocumentPieces, hosts: readonly HostEntry[]): string {
  return pieces.open + hosts.map(pieces.host).join("") + pieces.close(hosts.length);
}

/** The whole document as JSON, at once. */
export function renderFleetJson(doc: FleetDiffDocument): string {
  const { hosts, ...head } = doc;
  return whole(fleetJsonPieces(head), hosts);
}

/** The whole document as YAML, at once. */
export function renderFleetYaml(doc: FleetDiffDocument): string {
  const { hosts, ...head } = doc;
  return whole(fleetYamlPieces(head), hosts);
}
