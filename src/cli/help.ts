/** Help text that stays within 80 columns: a term list with wrapped, hanging descriptions. */

/** Wraps words into lines of at most `width` characters (a longer word stands alone). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Renders `  term  description` rows, descriptions wrapped under themselves within 80 columns. */
export function termList(rows: readonly [string, string][], width = 80): string {
  const termWidth = Math.max(...rows.map(([t]) => t.length)) + 2;
  const indent = " ".repeat(2 + termWidth);
  return rows.map(([term, text]) =>
    wrapWords(text, width - indent.length)
      .map((l, i) => (i === 0 ? `  ${term.padEnd(termWidth)}${l}` : indent + l))
      .join("\n")
  ).join("\n");
}
