// The score-trend chart: an inline SVG built on the server from d3-scale and d3-shape (path math
// only, no browser script), with the healthy and at-risk lines behind the series.
import { scaleLinear, scaleUtc } from "d3-scale";
import { line } from "d3-shape";
import { BANDS } from "../../core/engine.ts";

export function ScoreChart(props: {
  series: { day: string; score: number }[];
  width?: number;
  height?: number;
}) {
  const width = props.width ?? 720;
  const height = props.height ?? 200;
  const pad = { left: 32, right: 8, top: 8, bottom: 20 };
  const points = props.series.map((s) => ({ t: new Date(`${s.day}T00:00:00Z`), score: s.score }));
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return <p class="muted">No scores yet.</p>;
  const x = scaleUtc()
    .domain([first.t, last.t])
    .range([pad.left, width - pad.right]);
  const y = scaleLinear()
    .domain([0, 100])
    .range([height - pad.bottom, pad.top]);
  const path = line<{ t: Date; score: number }>()
    .x((p) => x(p.t))
    .y((p) => y(p.score))(points);
  const ticks = x.ticks(6);
  return (
    <svg
      class="chart"
      role="img"
      aria-label={`Health score from ${props.series[0]?.day} to ${props.series[props.series.length - 1]?.day}`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
    >
      <rect
        x={pad.left}
        y={y(100)}
        width={width - pad.left - pad.right}
        height={y(BANDS.healthy) - y(100)}
        class="zone-healthy"
      />
      <rect
        x={pad.left}
        y={y(BANDS.atRisk)}
        width={width - pad.left - pad.right}
        height={y(0) - y(BANDS.atRisk)}
        class="zone-risk"
      />
      {[0, BANDS.atRisk, BANDS.healthy, 100].map((v) => (
        <text x={pad.left - 4} y={y(v) + 4} text-anchor="end" class="axis">
          {v}
        </text>
      ))}
      {ticks.map((t) => (
        <text x={x(t)} y={height - 4} text-anchor="middle" class="axis">
          {t.toISOString().slice(0, 7)}
        </text>
      ))}
      <path d={path ?? ""} class="series" fill="none" />
    </svg>
  );
}
