/**
 * containers/storage's index of containers, /var/lib/containers/storage/overlay-containers/
 * containers.json (and volatile-containers.json beside it for `podman run --rm`): a list of
 * `{id, names: [...], image, layer, metadata}`, where `metadata` is itself a JSON string holding
 * `image-name` and `name`. Podman and CRI-O keep their containers there; nsnap reads it to name a
 * `libpod-<id>` (or `crio-<id>`) group's container without asking either.
 */
import { ParseError } from "../../errors.ts";
import { cannotRead, type Parsed } from "../text.ts";
import { object, parseJsonDocument, text } from "./runtime_json.ts";

/** One container of the index. */
export interface StorageContainer {
  id: string;
  /** Its first name (`podman run --name`). */
  name?: string;
  /** The image it was made from, by name (`docker.io/library/nginx:latest`). */
  image?: string;
}

/**
 * Reads containers.json. Not a JSON list: `ParseError`; an entry without an id is a warning.
 *
 * @example
 * ```ts
 * import { parseStorageContainers } from "./podman_containers_json.ts";
 * const doc = '[{"id":"ab","names":["web"],"metadata":"{\\"image-name\\":\\"nginx\\"}"}]';
 * parseStorageContainers(doc, "containers.json").value[0]; // { id: "ab", name: "web", image: "nginx" }
 * ```
 */
export function parseStorageContainers(json: string, source: string): Parsed<StorageContainer[]> {
  const doc = parseJsonDocument(json, source);
  if (!Array.isArray(doc)) {
    throw new ParseError(source, 1, json.split("\n")[0] ?? "", "expected a JSON list");
  }
  const value: StorageContainer[] = [];
  const warnings: string[] = [];
  doc.forEach((raw, i) => {
    const e = object(raw);
    const id = text(e?.id);
    if (e === undefined || id === undefined) {
      warnings.push(cannotRead(`${source}[${i}]`, undefined, "container", JSON.stringify(raw)));
      return;
    }
    const out: StorageContainer = { id };
    const names = Array.isArray(e.names) ? e.names.filter((n) => typeof n === "string") : [];
    let meta: Readonly<Record<string, unknown>> | undefined;
    try {
      meta = object(JSON.parse(text(e.metadata) ?? "null"));
    } catch {
      meta = undefined; // metadata is optional; a bad one loses the image name only
    }
    const name = names[0] ?? text(meta?.name);
    if (name) out.name = name;
    const image = text(meta?.["image-name"]);
    if (image) out.image = image;
    value.push(out);
  });
  return { value, warnings };
}
