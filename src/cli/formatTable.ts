/** Rows as aligned columns for a terminal (`columns` picks and orders them; default the first row's keys). */
export function formatTable(value: unknown, columns?: string[]): string {
  const rows = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
  if (rows.length === 0) return '(none)';
  const names = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown, c: string) => (v === null || v === undefined ? (c === 'credits' ? 'unlimited' : '') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cells = rows.map((r) => names.map((c) => cell(r[c], c)));
  const widths = names.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(names), ...cells.map(line)].join('\n');
}
