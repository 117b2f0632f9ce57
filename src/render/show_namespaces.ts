/**
 * The show views of a capture across network namespaces: one block per namespace, the host's
 * first, each under its heading (`container web (docker:web), image nginx:1.25, inode …`), and
 * after a namespace's connections the exposure of its listeners (`tcp 0.0.0.0:80 published on
 * host 127.0.0.1:8080`). A snapshot of one namespace renders exactly as before, without headings.
 */
import type { Connection, Snapshot } from "../model.ts";
import { endpoint } from "../net/sockets.ts";
import { type NamespaceGroup, namespaceHeading } from "../view/namespaces.ts";
import { displayText, foldLine, type Paint, PLAIN } from "./table.ts";

/**
 * Renders groups with one renderer; a single group without namespaces has no heading. A heading
 * longer than `width` is folded.
 */
export function renderGroups<T>(
  snapshot: Pick<Snapshot, "namespaces">,
  groups: readonly NamespaceGroup<T>[],
  render: (records: T[], group: NamespaceGroup<T>) => string,
  paint: Paint = PLAIN,
  width?: number,
): string {
  if (!snapshot.namespaces) return render(groups.flatMap((g) => g.records), groups[0]!);
  const shown = groups.filter((g) => g.records.length > 0);
  if (shown.length === 0) return render([], groups[0]!);
  const heading = (g: NamespaceGroup<T>) => {
    const text = displayText(namespaceHeading(g));
    return (width === undefined ? [text] : foldLine(text, width)).map(paint.bold).join("\n");
  };
  return shown.map((g) => `${heading(g)}\n${render(g.records, g)}`).join("\n");
}

/**
 * The exposure lines of a namespace's listeners, for under its connections table, each folded to
 * `width` when given.
 */
export function exposureLines(connections: readonly Connection[], width?: number): string {
  const lines: string[] = [];
  for (const c of connections) {
    if (c.exposure === undefined) continue;
    const line = displayText(
      `  ${c.protocol} ${endpoint(c.localAddress, c.localPort)}: ${c.exposure.summary}`,
    );
    lines.push(...(width === undefined ? [line] : foldLine(line, width)));
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
