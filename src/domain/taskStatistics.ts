/** GET /tasks/statistics: minutes as strings with two decimals, as AudioShake does. */
export function usageByMonth(rows: { endedAt: number; duration: number }[]) {
  const months = new Map<string, { totalTargets: number; seconds: number }>();
  for (const row of rows) {
    const month = new Date(row.endedAt).toISOString().slice(0, 7);
    const entry = months.get(month) ?? { totalTargets: 0, seconds: 0 };
    entry.totalTargets++;
    entry.seconds += row.duration;
    months.set(month, entry);
  }
  return [...months.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([month, e]) => ({ month, totalTargets: e.totalTargets, totalMinutes: (e.seconds / 60).toFixed(2) }));
}

export function distributionByModel(rows: { model: string; duration: number }[]) {
  const models = new Map<string, { totalTargets: number; seconds: number }>();
  for (const row of rows) {
    const entry = models.get(row.model) ?? { totalTargets: 0, seconds: 0 };
    entry.totalTargets++;
    entry.seconds += row.duration;
    models.set(row.model, entry);
  }
  return [...models.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([model, e]) => ({ model, totalTargets: e.totalTargets, totalMinutes: (e.seconds / 60).toFixed(2) }));
}
