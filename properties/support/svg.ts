// How many data series a rendered vega SVG draws: distinct (mark type, colour) pairs among the items of its data
// marks (groups with role-mark), leaving out text marks (labels) and heatmap-style rect marks whose many fills are a
// colour scale (vega draws a gradient legend for those when they have one).
export function seriesCount(svg: string): number {
  const series = new Set<string>();
  const group = /<g class="(mark-[a-z]+) role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g;
  for (let m = group.exec(svg); m; m = group.exec(svg)) {
    const type = m[1]!;
    if (type === 'mark-text' || type === 'mark-group') continue;
    const items = m[2]!.match(/<(path|line|rect|circle)\b[^>]*>/g) ?? [];
    const colours = new Set(items.map((it) => /stroke="([^"]+)"/.exec(it)?.[1] ?? /fill="([^"]+)"/.exec(it)?.[1] ?? 'default'));
    if (type === 'mark-rect' && colours.size > 4) {
      series.add(`${type}:scale`);
      continue;
    }
    for (const c of colours) series.add(`${type}:${c}`);
  }
  return series.size;
}
