/** Help text written as source paragraphs: single newlines join (commander wraps to the terminal), blank lines stay. */
export const paragraphs = (s: string): string =>
  s
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(/\s*\n\s*/g, " "))
    .join("\n\n");
