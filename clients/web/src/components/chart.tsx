/** A small SVG chart of our own (no charting library: the bundle stays small). */
export interface Series {
  label: string;
  points: Array<{ x: number; y: number }>;
}

const W = 560;
const H = 200;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };
const COLORS = ["#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#be185d", "#0e7490"];

function ticks(min: number, max: number): number[] {
  if (min === max) return [min];
  return [0, 0.25, 0.5, 0.75, 1].map((f) => min + (max - min) * f);
}

function label(n: number): string {
  return Math.abs(n) >= 1000 || Number.isInteger(n) ? String(Math.round(n)) : n.toPrecision(3);
}

/** Lines over a numeric x (a step, an index); each series in its own colour, with a legend. */
export function LineChart({ series, title }: { series: Series[]; title: string }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  const [y0, y1] = [Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))];
  const sx = (x: number) => PAD.left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y1 === y0 ? 0.5 : (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  return (
    <figure>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        <title>{title}</title>
        <line className="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <line className="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
        {ticks(y0, y1).map((t) => (
          <text key={t} x={PAD.left - 6} y={sy(t) + 4} textAnchor="end">
            {label(t)}
          </text>
        ))}
        {ticks(x0, x1).map((t) => (
          <text key={t} x={sx(t)} y={H - 8} textAnchor="middle">
            {label(t)}
          </text>
        ))}
        {series.map((s, i) => (
          <g key={s.label} stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]}>
            <polyline fill="none" strokeWidth={2} points={s.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" ")} />
            {s.points.map((p) => (
              <circle key={`${p.x}-${p.y}`} cx={sx(p.x)} cy={sy(p.y)} r={3} />
            ))}
          </g>
        ))}
      </svg>
      <figcaption className="small">
        {series.map((s, i) => (
          <span key={s.label} style={{ color: COLORS[i % COLORS.length], marginRight: 12 }}>
            ● {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** One bar per item, the best marked. */
export function BarChart({ bars, title }: { bars: Array<{ label: string; value: number; best: boolean }>; title: string }) {
  if (bars.length === 0) return null;
  const max = Math.max(...bars.map((b) => Math.abs(b.value)), Number.MIN_VALUE);
  const rowH = 22;
  const height = bars.length * rowH + 8;
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${height}`} width={W} height={height} role="img" aria-label={title}>
      <title>{title}</title>
      {bars.map((b, i) => {
        const width = (Math.abs(b.value) / max) * (W - 220);
        return (
          <g key={b.label} transform={`translate(0 ${i * rowH + 4})`}>
            <text x={0} y={14}>
              {b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label}
            </text>
            <rect x={160} y={3} width={Math.max(width, 1)} height={14} fill={b.best ? "#15803d" : "#0b5cad"} opacity={b.best ? 1 : 0.6} />
            <text x={166 + width} y={14}>
              {label(b.value)}
              {b.best ? " ★" : ""}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
