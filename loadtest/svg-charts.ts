/** Tiny inline-SVG charts for the HTML report: no scripts, no network, opens from disk. */

export interface LineSeries {
  name: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  logY?: boolean;
  width?: number;
  height?: number;
}

const PAD = { left: 64, right: 16, top: 28, bottom: 44 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 100 || a === 0) return `${Math.round(v)}`;
  return `${+v.toPrecision(2)}`;
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function frame(w: number, h: number, title: string, xLabel: string, yLabel: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui,sans-serif" font-size="11">
<text x="${w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(title)}</text>
<text x="${w / 2}" y="${h - 6}" text-anchor="middle">${escapeXml(xLabel)}</text>
<text transform="translate(14 ${h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>
${body}</svg>`;
}

export function lineChart(spec: LineChartSpec): string {
  const w = spec.width ?? 760, h = spec.height ?? 260;
  const pw = w - PAD.left - PAD.right, ph = h - PAD.top - PAD.bottom;
  const pts = spec.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!spec.logY || y > 0));
  if (pts.length === 0) return frame(w, h, spec.title, spec.xLabel, spec.yLabel, `<text x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text>`);
  const xs = pts.map(([x]) => x), ys = pts.map(([, y]) => y);
  const x0 = Math.min(...xs), x1 = Math.max(x0 + 1, ...xs);
  const y0 = spec.logY ? Math.max(1e-3, Math.min(...ys)) : 0;
  const y1 = Math.max(spec.logY ? y0 * 10 : 1e-9, ...ys) * (spec.logY ? 1.2 : 1.05);
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = spec.logY
    ? (y: number) => PAD.top + ph - (Math.log(Math.max(y, y0) / y0) / Math.log(y1 / y0)) * ph
    : (y: number) => PAD.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const yTicks = spec.logY ? logTicks(y0, y1) : niceTicks(y0, y1);
  const grid = [
    ...yTicks.map((t) => `<line x1="${PAD.left}" x2="${PAD.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/><text x="${PAD.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${formatNumber(t)}</text>`),
    ...niceTicks(x0, x1, 8).map((t) => `<text x="${sx(t).toFixed(1)}" y="${PAD.top + ph + 16}" text-anchor="middle">${formatNumber(t)}</text>`),
    `<rect x="${PAD.left}" y="${PAD.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ].join("\n");
  const lines = spec.series
    .map((s) => {
      const d = s.points.filter(([, y]) => Number.isFinite(y) && (!spec.logY || y > 0)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ""} points="${d}"/>`;
    })
    .join("\n");
  let offset = 0, row = 0;
  const legend = spec.series
    .map((s) => {
      const width = 34 + s.name.length * 6.2;
      if (offset > 0 && offset + width > pw - 16) [offset, row] = [0, row + 1];
      const at = [offset, row] as const;
      offset += width;
      return [s, at] as const;
    })
    .map(([s, [x, r]]) => `<g transform="translate(${PAD.left + 8 + x} ${PAD.top + 12 + r * 14})"><line x1="0" x2="18" y1="-4" y2="-4" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/><text x="22" y="0">${escapeXml(s.name)}</text></g>`)
    .join("\n");
  return frame(w, h, spec.title, spec.xLabel, spec.yLabel, `${grid}\n${lines}\n${legend}\n`);
}

export interface BarChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** [lower, upper, count] on a log x axis */
  bins: Array<[number, number, number]>;
  color: string;
  width?: number;
  height?: number;
}

export function histogramChart(spec: BarChartSpec): string {
  const w = spec.width ?? 760, h = spec.height ?? 260;
  const pw = w - PAD.left - PAD.right, ph = h - PAD.top - PAD.bottom;
  if (spec.bins.length === 0) return frame(w, h, spec.title, spec.xLabel, spec.yLabel, `<text x="${w / 2}" y="${h / 2}" text-anchor="middle">no data</text>`);
  const lo = (spec.bins[0] as [number, number, number])[0], hi = (spec.bins[spec.bins.length - 1] as [number, number, number])[1];
  const maxCount = Math.max(1, ...spec.bins.map((b) => b[2]));
  const sx = (x: number) => PAD.left + (Math.log(x / lo) / Math.log(hi / lo || 10)) * pw;
  const sy = (y: number) => PAD.top + ph - (y / maxCount) * ph;
  const bars = spec.bins
    .map(([a, b, c]) => `<rect x="${sx(a).toFixed(1)}" y="${sy(c).toFixed(1)}" width="${Math.max(0.5, sx(b) - sx(a) - 0.5).toFixed(1)}" height="${(PAD.top + ph - sy(c)).toFixed(1)}" fill="${spec.color}"><title>${formatNumber(a)}–${formatNumber(b)}: ${c}</title></rect>`)
    .join("\n");
  const axis = [
    ...logTicks(lo, hi).map((t) => `<text x="${sx(t).toFixed(1)}" y="${PAD.top + ph + 16}" text-anchor="middle">${formatNumber(t)}</text>`),
    ...niceTicks(0, maxCount).map((t) => `<text x="${PAD.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${formatNumber(t)}</text>`),
    `<rect x="${PAD.left}" y="${PAD.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ].join("\n");
  return frame(w, h, spec.title, spec.xLabel, spec.yLabel, `${bars}\n${axis}\n`);
}
