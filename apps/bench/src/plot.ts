/**
 * A small SVG line-chart writer for the benchmark report: no plotting dependency, deterministic
 * output (the same data gives the same bytes, so committed plots diff cleanly).
 */

export interface PlotSeries {
  readonly name: string;
  /** [x, y] pairs; pairs with a non-finite coordinate (or ≤ 0 on a log axis) are left out. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** Draw the points as dots too (default true). */
  readonly dots?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  readonly width?: number;
  readonly height?: number;
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Vertical marker lines with a label (a stage change, a fault injected). */
  readonly markers?: ReadonlyArray<{ readonly x: number; readonly label: string }>;
  /** Free text under the title (command, machine). */
  readonly subtitle?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Round tick values covering [min, max] with steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const [low, high] = min < max ? [min, max] : [max, min];
  const rough = (high - low) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
  }
  return ticks;
}

/** Ticks of a log axis: 1, 2, 5 × 10^k inside [min, max] (min > 0). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power++) {
    for (const factor of [1, 2, 5]) {
      const tick = Number((factor * 10 ** power).toPrecision(12));
      if (tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9)) ticks.push(tick);
    }
  }
  return ticks;
}

export function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1_000_000) return `${Number((value / 1_000_000).toPrecision(3))}M`;
  if (magnitude >= 10_000) return `${Number((value / 1_000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

/** Renders a line chart as a standalone SVG document. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 440;
  const margin = { left: 72, right: 170, top: options.subtitle ? 58 : 42, bottom: 56 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const valid = (value: number, log: boolean | undefined): boolean =>
    Number.isFinite(value) && (!log || value > 0);
  const series = options.series.map((item) => ({
    ...item,
    points: item.points.filter(([x, y]) => valid(x, options.logX) && valid(y, options.logY)),
  }));
  const xs = series.flatMap((item) => item.points.map(([x]) => x));
  const ys = series.flatMap((item) => item.points.map(([, y]) => y));
  for (const marker of options.markers ?? []) if (valid(marker.x, options.logX)) xs.push(marker.x);
  const domain = (values: number[], log: boolean | undefined, fromZero: boolean): [number, number] => {
    if (values.length === 0) return log ? [1, 10] : [0, 1];
    let low = Math.min(...values);
    let high = Math.max(...values);
    if (!log && fromZero) low = Math.min(0, low);
    if (low === high) {
      if (log) return [low / 2, high * 2];
      high = low + 1;
    }
    return [low, high];
  };
  const [xMin, xMax] = domain(xs, options.logX, false);
  const [yMinRaw, yMaxRaw] = domain(ys, options.logY, true);
  const yTicks = options.logY ? logTicks(yMinRaw, yMaxRaw) : niceTicks(yMinRaw, yMaxRaw, 5);
  const yMin = options.logY ? yMinRaw : Math.min(yMinRaw, yTicks[0] ?? yMinRaw);
  const yMax = options.logY ? yMaxRaw : Math.max(yMaxRaw, yTicks.at(-1) ?? yMaxRaw);
  const xTicks = options.logX ? logTicks(xMin, xMax) : niceTicks(xMin, xMax, 6);
  const scale = (value: number, low: number, high: number, log: boolean | undefined): number =>
    log
      ? (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
      : (value - low) / (high - low);
  const px = (x: number): number => margin.left + scale(x, xMin, xMax, options.logX) * plotWidth;
  const py = (y: number): number => margin.top + plotHeight - scale(y, yMin, yMax, options.logY) * plotHeight;
  const fixed = (value: number): string => value.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  if (options.subtitle)
    parts.push(`<text x="${margin.left}" y="40" fill="#555555">${escapeXml(options.subtitle)}</text>`);
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333333"/>`,
  );
  for (const tick of yTicks) {
    if (tick < yMin || tick > yMax) continue;
    const y = fixed(py(tick));
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    if (tick < xMin || tick > xMax) continue;
    const x = fixed(px(tick));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${formatTick(tick)}</text>`,
    );
  }
  for (const marker of options.markers ?? []) {
    if (!valid(marker.x, options.logX)) continue;
    const x = fixed(px(marker.x));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#999999" stroke-dasharray="4 3"/>`,
      `<text x="${x}" y="${margin.top + 12}" transform="rotate(-90 ${x} ${margin.top + 12})" text-anchor="end" dx="-2" dy="10" fill="#666666" font-size="10">${escapeXml(marker.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="18" y="${margin.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 ${margin.top + plotHeight / 2})">${escapeXml(options.yLabel)}</text>`,
  );
  series.forEach((item, index) => {
    const color = PALETTE[index % PALETTE.length] as string;
    if (item.points.length > 0) {
      const path = item.points.map(([x, y]) => `${fixed(px(x))},${fixed(py(y))}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>`);
      if (item.dots ?? true)
        for (const [x, y] of item.points)
          parts.push(`<circle cx="${fixed(px(x))}" cy="${fixed(py(y))}" r="3" fill="${color}"/>`);
    }
    const legendY = margin.top + 10 + index * 20;
    const legendX = margin.left + plotWidth + 14;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${legendX + 28}" y="${legendY}" dominant-baseline="middle">${escapeXml(item.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
