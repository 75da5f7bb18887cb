/**
 * Entry of the Trends view: a series picker and an SVG chart — each run a point (outside the band
 * in the error colour), the band of the runs before each point shaded, the baseline median dashed.
 * Theme colours only (--vscode-charts-*); a point opens its run on click or Enter.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { FromTrends, ToTrends, TrendsModel } from '../../src/shared/protocol';

const api = acquireVsCodeApi();
const post = (m: FromTrends) => api.postMessage(m);

const W = 760,
  H = 300,
  PAD = { left: 64, right: 16, top: 16, bottom: 40 };

function format(metric: string, v: number): string {
  if (metric === 'latency') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
  if (metric === 'cost') return `$${v.toFixed(v < 0.01 ? 5 : 3)}`;
  return String(Math.round(v * 100) / 100);
}

function Chart({ model }: { model: TrendsModel }) {
  const pts = model.points;
  const metric = model.series.find((s) => s.id === model.selected)?.metric ?? '';
  if (!pts.length) return <p class="hint">No run has this series yet.</p>;
  const values = pts.flatMap((p) => [p.value, ...(p.band ? [p.band.low, p.band.high] : [])]);
  let lo = Math.min(...values),
    hi = Math.max(...values);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const x = (i: number) => PAD.left + (pts.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (pts.length - 1));
  const y = (v: number) => PAD.top + ((hi - v) * (H - PAD.top - PAD.bottom)) / (hi - lo);
  const banded = pts.map((p, i) => ({ p, i })).filter(({ p }) => p.band);
  const area = banded.length
    ? `M${banded.map(({ p, i }) => `${x(i)},${y(p.band!.high)}`).join(' L')} L${[...banded]
        .reverse()
        .map(({ p, i }) => `${x(i)},${y(p.band!.low)}`)
        .join(' L')} Z`
    : '';
  const median = banded.length ? `M${banded.map(({ p, i }) => `${x(i)},${y(p.band!.median)}`).join(' L')}` : '';
  const line = `M${pts.map((p, i) => `${x(i)},${y(p.value)}`).join(' L')}`;
  const ticks = [lo + pad, (lo + hi) / 2, hi - pad];
  const open = (i: number) => post({ type: 'trendsOpen', traceId: pts[i]!.traceId, spanId: pts[i]!.spanId });
  return (
    <svg
      class="trend-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${model.series.find((s) => s.id === model.selected)?.label}: ${pts.length} runs, ${pts.filter((p) => p.outside).length} outside the band`}
    >
      {ticks.map((t) => (
        <g key={t}>
          <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
          <text class="axis" x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
            {format(metric, t)}
          </text>
        </g>
      ))}
      <text class="axis" x={PAD.left} y={H - 12}>
        {new Date(pts[0]!.time).toLocaleString()}
      </text>
      <text class="axis" x={W - PAD.right} y={H - 12} text-anchor="end">
        {new Date(pts[pts.length - 1]!.time).toLocaleString()}
      </text>
      {area && <path class="band" d={area} />}
      {median && <path class="median" d={median} />}
      <path class="series" d={line} />
      {pts.map((p, i) => (
        <circle
          key={`${p.traceId}:${p.spanId}`}
          class={p.outside ? 'point outside' : 'point'}
          data-trace={p.traceId}
          cx={x(i)}
          cy={y(p.value)}
          r={p.outside ? 5 : 4}
          tabIndex={0}
          role="button"
          aria-label={`${p.runName}, ${new Date(p.time).toLocaleString()}: ${format(metric, p.value)}${p.outside ? ', outside the band' : ''}. Open the run.`}
          onClick={() => open(i)}
          onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), open(i))}
        >
          <title>{`${p.runName}\n${new Date(p.time).toLocaleString()}\n${format(metric, p.value)}${p.band ? ` (band ${format(metric, p.band.low)} – ${format(metric, p.band.high)})` : ''}`}</title>
        </circle>
      ))}
    </svg>
  );
}

function App() {
  const [model, setModel] = useState<TrendsModel | null>(null);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const msg = e.data as ToTrends;
      if (msg?.type === 'trendsModel') setModel(msg.model);
      else post({ type: 'log', level: 'warn', message: `trends: unknown message ${JSON.stringify(e.data)?.slice(0, 200)}` });
    };
    window.addEventListener('message', onMessage);
    post({ type: 'trendsReady' });
    return () => window.removeEventListener('message', onMessage);
  }, []);
  if (!model) return <div class="loading">Reading the recent runs…</div>;
  const outside = model.points.filter((p) => p.outside).length;
  return (
    <div class="trends">
      <h1>Trends</h1>
      {model.series.length === 0 ? (
        <p class="hint">No step of the last {model.runs} runs has a score, latency or cost to follow yet.</p>
      ) : (
        <>
          <label for="series">Series </label>
          <select id="series" value={model.selected ?? ''} onChange={(e) => post({ type: 'trendsSelect', id: (e.target as HTMLSelectElement).value })}>
            {model.series.map((s) => (
              <option key={s.id} value={s.id}>{`${s.label} (${s.runs} runs)`}</option>
            ))}
          </select>
          <p class="hint">
            The last {model.points.length} runs with this step, oldest on the left. The band is each run&apos;s baseline: the median of the runs before it ± 3
            robust standard deviations.
            {outside ? ` ${outside} run${outside === 1 ? ' is' : 's are'} outside it (marked).` : ' Every run is within it.'} Click a point to open its run.
          </p>
          <Chart model={model} />
        </>
      )}
    </div>
  );
}

render(<App />, document.getElementById('root')!);
