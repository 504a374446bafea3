// The score-trend chart: an inline SVG built on the server from d3-scale and d3-shape (path math
// only, no browser script), with the tenant's healthy and at-risk lines behind the series, a
// dashed line where the band changed, a mark where a task opened, and each day's value on hover
// (an SVG title per day, which browsers show as a tooltip and screen readers read).
import { scaleLinear, scaleUtc } from "d3-scale";
import { line } from "d3-shape";
import { BANDS } from "../../core/engine.ts";
import type { Bands } from "../../core/policy.ts";

export function ScoreChart(props: {
  series: { day: string; score: number; band?: string }[];
  /** Days a task opened (YYYY-MM-DD), with its title. */
  tasks?: { day: string; title: string }[];
  bands?: Bands;
  width?: number;
  height?: number;
}) {
  const bands = props.bands ?? BANDS;
  const width = props.width ?? 720;
  const height = props.height ?? 200;
  const pad = { left: 32, right: 8, top: 8, bottom: 20 };
  const points = props.series.map((s) => ({
    t: new Date(`${s.day}T00:00:00Z`),
    score: s.score,
    day: s.day,
    band: s.band,
  }));
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
  const bandChanges = points.filter((p, i) => i > 0 && p.band && p.band !== points[i - 1]?.band);
  const byDay = new Map(points.map((p) => [p.day, p]));
  const step = Math.max(1, (width - pad.left - pad.right) / Math.max(1, points.length - 1));
  return (
    <svg
      class="chart"
      role="img"
      aria-label={`Health score from ${first.day} (${first.score}) to ${last.day} (${last.score}); ${bandChanges.length} band changes, ${props.tasks?.length ?? 0} tasks opened`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
    >
      <rect
        x={pad.left}
        y={y(100)}
        width={width - pad.left - pad.right}
        height={y(bands.healthy) - y(100)}
        class="zone-healthy"
      />
      <rect
        x={pad.left}
        y={y(bands.atRisk)}
        width={width - pad.left - pad.right}
        height={y(0) - y(bands.atRisk)}
        class="zone-risk"
      />
      {[0, bands.atRisk, bands.healthy, 100].map((v) => (
        <text x={pad.left - 4} y={y(v) + 4} text-anchor="end" class="axis">
          {v}
        </text>
      ))}
      {ticks.map((t) => (
        <text x={x(t)} y={height - 4} text-anchor="middle" class="axis">
          {t.toISOString().slice(0, 7)}
        </text>
      ))}
      {bandChanges.map((p) => (
        <line class="marker-band" x1={x(p.t)} x2={x(p.t)} y1={y(100)} y2={y(0)} data-day={p.day}>
          <title>{`${p.day}: band now ${p.band?.replace("_", " ")}`}</title>
        </line>
      ))}
      <path d={path ?? ""} class="series" fill="none" />
      {(props.tasks ?? []).flatMap((t) => {
        const p = byDay.get(t.day);
        return p
          ? [
              <path
                class="marker-task"
                d={`M${x(p.t)},${y(p.score) - 10}l-5,-8h10z`}
                data-day={t.day}
              >
                <title>{`${t.day}: task opened — ${t.title}`}</title>
              </path>,
            ]
          : [];
      })}
      {points.map((p) => (
        <rect
          class="point"
          x={x(p.t) - step / 2}
          y={pad.top}
          width={step}
          height={height - pad.top - pad.bottom}
        >
          <title>{`${p.day}: ${p.score}${p.band ? ` (${p.band.replace("_", " ")})` : ""}`}</title>
        </rect>
      ))}
    </svg>
  );
}
