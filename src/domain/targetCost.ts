/** spec/api.md "Cost and credits": ceil(duration / 60) * creditsPerMinute; 200.53 s at 1/min costs 4. */
export function targetCost(durationSeconds: number, creditsPerMinute: number): number {
  return Math.ceil(durationSeconds / 60) * creditsPerMinute;
}
