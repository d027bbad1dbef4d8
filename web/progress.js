// @ts-check
/**
 * 完成情况, the second tab of 目标一览: for one region and year, each target of that year's report beside
 * the result the next year's report states (GET /api/targets/progress), the verdict only where the
 * server gives one, and what the later report says about the year in its own words. With three or
 * more consecutive reports of the region, a small chart of an indicator's growth over the years:
 * targets dashed, results solid, each point titled with its verbatim span.
 *
 * Plain ES module with JSDoc types, no library; every dynamic string reaches the DOM as a text node or
 * an attribute value. The tab and its choices live in the URL hash (#progress&region=…&year=…), so
 * the view can be shared; the targets tab owns the query string.
 */
import { PT } from './messages.js';
import { byId, h } from './dom.js';

/**
 * @typedef {{ report: string, title: string, region: string, year: number, reportYear: number, indicator: string, value: number,
 *   high?: number, unit: string, qualifier: string, growth: boolean, text: string, span: string, quote: string, section: string }} Figure
 * @typedef {{ indicator: string, target?: Figure, result?: Figure, verdict?: 'met' | 'not-met', open?: string, basis?: string }} ProgressRow
 * @typedef {{ report: string, title: string, section: string, quote: string, phrase: string, overall: boolean }} Completion
 * @typedef {{ id: string, title: string, year: number }} ReportRef
 * @typedef {{ region: string, year: number, targetReport?: ReportRef, resultReport?: ReportRef, rows: ProgressRow[], completion: Completion[] }} Progress
 * @typedef {{ id: string, region: string, year: number }} Doc
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const collator = new Intl.Collator('zh-CN', { numeric: true });
/** Consecutive reports a region needs for its trend chart. */
const TREND_MIN_REPORTS = 3;
const GDP = '地区生产总值';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {...(Node | string)} children
 */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

const tabTargets = byId('tab-targets');
const tabProgress = byId('tab-progress');
const panelTargets = byId('panel-targets');
const panelProgress = byId('panel-progress');
const regionSelect = /** @type {HTMLSelectElement} */ (byId('p-region'));
const yearSelect = /** @type {HTMLSelectElement} */ (byId('p-year'));
const indicatorSelect = /** @type {HTMLSelectElement} */ (byId('p-indicator'));
const countLine = byId('p-count');
const csvLink = /** @type {HTMLAnchorElement} */ (byId('p-csv'));
const notes = byId('p-notes');
const tableWrap = byId('p-table-wrap');
const saidBox = byId('p-said');
const trendBox = byId('trend-box');
const trend = byId('trend');

const state = {
  /** @type {Doc[]} */ docs: [],
  /** @type {Map<string, Progress[]>} */ cache: new Map(),
  /** @type {Progress[]} */ list: [],
  region: '',
  year: 0,
  indicator: '',
  loaded: false,
  trendWidth: 0,
};

// ——————————————————————————————— tabs and the hash ———————————————————————————————

/** The hash as choices: #progress&region=清苑区&year=2021. */
function hashChoices() {
  const raw = location.hash.replace(/^#/, '');
  const [tab = '', ...rest] = raw.split('&');
  const params = new URLSearchParams(rest.join('&'));
  return { progress: tab === 'progress', region: params.get('region') ?? '', year: Number(params.get('year') ?? '') || 0, indicator: params.get('indicator') ?? '' };
}

function writeHash() {
  let hash = '';
  if (!panelProgress.hidden) {
    const params = new URLSearchParams();
    if (state.region) params.set('region', state.region);
    if (state.year) params.set('year', String(state.year));
    if (state.indicator) params.set('indicator', state.indicator);
    hash = `#progress${params.size ? `&${params}` : ''}`;
  }
  const url = `${location.pathname}${location.search}${hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

/** @param {'targets' | 'progress'} which @param {boolean} [focus] */
function selectTab(which, focus = false) {
  const progress = which === 'progress';
  tabTargets.setAttribute('aria-selected', String(!progress));
  tabProgress.setAttribute('aria-selected', String(progress));
  tabTargets.tabIndex = progress ? -1 : 0;
  tabProgress.tabIndex = progress ? 0 : -1;
  panelTargets.hidden = progress;
  panelProgress.hidden = !progress;
  if (focus) (progress ? tabProgress : tabTargets).focus();
  // The first opening reads its choices from the hash before writing it.
  if (progress && !state.loaded) return void load();
  writeHash();
  if (progress) renderTrend();
}

// ——————————————————————————————— loading ———————————————————————————————

/** @param {string} url */
async function getJson(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(/** @type {{ error?: { message?: string } } | undefined} */ (body)?.error?.message ?? '');
  return body;
}

/** @param {string} message */
function renderError(message) {
  countLine.textContent = '';
  csvLink.hidden = true;
  trendBox.hidden = true;
  tableWrap.replaceChildren(h('div', { class: 'error', role: 'alert' }, h('p', {}, message)));
}

async function load() {
  state.loaded = true;
  try {
    const body = /** @type {{ reports?: Doc[], defaultRegion?: string }} */ (await getJson('/api/reports'));
    state.docs = Array.isArray(body?.reports) ? body.reports : [];
    const regions = regionsByReports(state.docs);
    if (!regions.length) {
      tableWrap.replaceChildren(h('p', { class: 'empty-title' }, PT.noRegions));
      return;
    }
    regionSelect.replaceChildren(...regions.map((r) => h('option', { value: r }, r)));
    const asked = hashChoices();
    state.region = regions.includes(asked.region) ? asked.region : body.defaultRegion && regions.includes(body.defaultRegion) ? body.defaultRegion : /** @type {string} */ (regions[0]);
    regionSelect.value = state.region;
    await showRegion(asked.year, asked.indicator);
  } catch (err) {
    const message = err instanceof Error && err.message ? `${PT.loadError}（${err.message}）` : PT.loadError;
    renderError(message);
  } finally {
    document.body.dataset.progress = 'ready';
  }
}

/** Regions, the one with most reports first. @param {Doc[]} docs */
function regionsByReports(docs) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const d of docs) counts.set(d.region, (counts.get(d.region) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0])).map(([r]) => r);
}

/** @param {number} [year] @param {string} [indicator] */
async function showRegion(year = 0, indicator = '') {
  let list = state.cache.get(state.region);
  if (!list) {
    const body = /** @type {{ progress?: Progress[] }} */ (await getJson(`/api/targets/progress?region=${encodeURIComponent(state.region)}`));
    list = Array.isArray(body?.progress) ? body.progress : [];
    state.cache.set(state.region, list);
  }
  state.list = list;
  yearSelect.replaceChildren(...list.map((p) => h('option', { value: p.year }, PT.yearOption(p.year))));
  // The newest year both of whose reports are loaded, unless one is asked.
  const both = list.find((p) => p.targetReport && p.resultReport);
  state.year = list.some((p) => p.year === year) ? year : (both ?? list[0])?.year ?? 0;
  yearSelect.value = String(state.year);
  state.indicator = indicator;
  renderYear();
  renderTrend();
  writeHash();
}

// ——————————————————————————————— the year's table ———————————————————————————————

/** A figure's cell: its verbatim span, the report it stands in, the sentence as a tooltip. @param {Figure | undefined} f */
function figureCell(f, cls = '', label = '') {
  if (!f) return h('td', { class: `p-figure ${cls}`, 'data-label': label }, h('span', { class: 'muted' }, '—'));
  return h(
    'td',
    { class: `p-figure ${cls}`, title: f.quote, 'data-label': label },
    h('span', { class: 'p-span' }, f.span),
    h('small', { class: 'report-year' }, PT.reportYear(f.reportYear)),
  );
}

function renderYear() {
  const p = state.list.find((x) => x.year === state.year);
  const params = new URLSearchParams({ region: state.region, format: 'csv' });
  if (p) params.set('year', String(p.year));
  csvLink.href = `/api/targets/progress?${params}`;
  csvLink.hidden = !p;
  notes.replaceChildren();
  saidBox.replaceChildren();
  if (!p || !p.rows.length) {
    countLine.textContent = '';
    tableWrap.replaceChildren(h('p', { class: 'empty-title' }, PT.nothing));
    if (p) renderSaid(p);
    return;
  }
  const met = p.rows.filter((r) => r.verdict === 'met').length;
  const missed = p.rows.filter((r) => r.verdict === 'not-met').length;
  countLine.textContent = !p.resultReport
    ? PT.countTargets(p.region, p.year, p.rows.length)
    : !p.targetReport
      ? PT.countResults(p.region, p.year, p.rows.length)
      : PT.count(p.region, p.year, met, missed, p.rows.length - met - missed);
  if (!p.targetReport) notes.append(h('p', { class: 'p-note' }, PT.noTargetReport(p.region, p.year)));
  if (!p.resultReport) notes.append(h('p', { class: 'p-note' }, PT.noResultReport(p.region, p.year)));

  const head = h('tr', {}, ...Object.values(PT.columns).map((c) => h('th', { scope: 'col' }, c)));
  const body = h(
    'tbody',
    {},
    ...p.rows.map((r) => {
      const key = r.verdict ?? r.open ?? 'undecidable';
      return h(
        'tr',
        { 'data-indicator': r.indicator, 'data-verdict': key },
        h('td', { class: 'col-indicator' }, h('span', { class: 'indicator' }, r.indicator)),
        figureCell(r.target, 'p-target', PT.columns.target),
        figureCell(r.result, 'p-result', PT.columns.result),
        h('td', { class: 'p-verdict', 'data-label': PT.columns.verdict }, h('span', { class: `verdict verdict-${key}` }, PT.verdicts[key] ?? key), r.verdict && r.basis ? h('small', { class: 'basis' }, r.basis) : null),
      );
    }),
  );
  tableWrap.replaceChildren(h('table', { class: 'targets progress' }, h('caption', { class: 'sr-only' }, PT.tableCaption), h('thead', {}, head), body));
  if (p.rows.some((r) => r.verdict)) notes.append(h('p', { class: 'muted small' }, PT.tolerance));
  renderSaid(p);
}

/** What the later report says about the year, verbatim, with where it says it. @param {Progress} p */
function renderSaid(p) {
  const overall = p.completion.filter((c) => c.overall);
  const shown = overall.length ? overall : p.completion;
  if (!shown.length) return;
  saidBox.append(
    h('h3', { class: 'section-heading' }, PT.said),
    ...shown.map((c) =>
      h(
        'figure',
        { class: 'p-said' },
        h('blockquote', { class: 'quote', title: c.quote }, h('p', { class: 'quote-text' }, c.phrase)),
        h('figcaption', { class: 'crumbs' }, h('ol', {}, ...[c.title, ...c.section.split('›').map((x) => x.trim()).filter(Boolean)].map((x) => h('li', {}, x)))),
      ),
    ),
  );
}

// ——————————————————————————————— the trend ———————————————————————————————

/** The longest run of consecutive report years of the region. */
function consecutiveReports() {
  const years = [...new Set(state.docs.filter((d) => d.region === state.region).map((d) => d.year))].sort((a, b) => a - b);
  let best = 0;
  let run = 0;
  for (let i = 0; i < years.length; i++) {
    run = i > 0 && years[i] === /** @type {number} */ (years[i - 1]) + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

/** A growth rate in per cent (what can share one axis across years). @param {Figure | undefined} f */
function isRate(f) {
  return Boolean(f && f.growth && f.unit.normalize('NFKC') === '%');
}

/** @param {Figure} f */
function valueOf(f) {
  return f.high !== undefined ? (f.value + f.high) / 2 : f.value;
}

/** Each year's target and result of one indicator, oldest first. @param {string} indicator */
function seriesOf(indicator) {
  return [...state.list]
    .sort((a, b) => a.year - b.year)
    .map((p) => {
      const rows = p.rows.filter((r) => r.indicator === indicator);
      const target = rows.map((r) => r.target).find(isRate);
      const result = rows.map((r) => r.result).find(isRate);
      return { year: p.year, target, result };
    });
}

function renderTrend() {
  if (consecutiveReports() < TREND_MIN_REPORTS) {
    trendBox.hidden = true;
    return;
  }
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const p of state.list) {
    for (const r of p.rows) if (isRate(r.target) || isRate(r.result)) counts.set(r.indicator, (counts.get(r.indicator) ?? 0) + 1);
  }
  const indicators = [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0])).map(([i]) => i);
  if (!indicators.length) {
    trendBox.hidden = true;
    return;
  }
  trendBox.hidden = panelProgress.hidden;
  if (!indicators.includes(state.indicator)) state.indicator = indicators.includes(GDP) ? GDP : /** @type {string} */ (indicators[0]);
  if (indicatorSelect.options.length !== indicators.length || [...indicatorSelect.options].some((o, i) => o.value !== indicators[i])) {
    indicatorSelect.replaceChildren(...indicators.map((i) => h('option', { value: i }, i)));
  }
  indicatorSelect.value = state.indicator;
  if (trendBox.hidden) return;
  drawTrend(seriesOf(state.indicator));
}

/** @param {Array<{ year: number, target?: Figure, result?: Figure }>} series */
function drawTrend(series) {
  const width = Math.max(300, Math.floor(trend.clientWidth));
  state.trendWidth = width;
  const size = parseFloat(getComputedStyle(trend).fontSize) || 16;
  const height = Math.round(size * 17);
  const left = Math.round(size * 3);
  const right = Math.round(size * 2);
  const top = Math.round(size * 1.5);
  const bottom = Math.round(size * 2.2);
  const values = series.flatMap((p) => [p.target, p.result].filter((f) => f !== undefined).flatMap((f) => [f.value, f.high ?? f.value]));
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values, 1);
  const step = niceStep((hi - lo) / 4);
  const yMax = Math.ceil(hi / step) * step;
  const yMin = Math.floor(lo / step) * step;
  const first = /** @type {{ year: number }} */ (series[0]).year;
  const last = /** @type {{ year: number }} */ (series[series.length - 1]).year;
  const x = (/** @type {number} */ year) => left + (last === first ? 0.5 : (year - first) / (last - first)) * (width - left - right);
  const y = (/** @type {number} */ v) => top + ((yMax - v) / (yMax - yMin || 1)) * (height - top - bottom);

  const svg = s('svg', { class: 'trend', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': PT.trendLabel(state.region, state.indicator, series.length) });
  for (let v = yMin; v <= yMax + 1e-9; v += step) {
    const label = `${Math.round(v * 100) / 100}%`;
    svg.append(
      s('line', { class: v === 0 ? 'axis' : 'grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }),
      s('text', { class: 'tick', x: left - size * 0.4, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'central' }, label),
    );
  }
  for (const p of series) svg.append(s('text', { class: 'tick', x: x(p.year), y: height - bottom + size * 1.2, 'text-anchor': 'middle' }, String(p.year)));

  /** @param {'target' | 'result'} side */
  const line = (side) => {
    let d = '';
    let open = false;
    for (const p of series) {
      const f = p[side];
      if (!f) {
        open = false;
        continue;
      }
      d += `${open ? 'L' : 'M'}${x(p.year).toFixed(1)},${y(valueOf(f)).toFixed(1)}`;
      open = true;
    }
    const g = s('g', { class: `series series-${side}` });
    if (d) g.append(s('path', { class: `trend-line trend-${side}`, d }));
    const what = side === 'target' ? PT.legendTarget : PT.legendResult;
    for (const p of series) {
      const f = p[side];
      if (!f) continue;
      const cx = x(p.year);
      const cy = y(valueOf(f));
      g.append(
        s('circle', { class: `trend-dot trend-${side}`, cx, cy, r: size * 0.28, 'data-year': p.year }, s('title', {}, PT.trendPoint(p.year, what, f.span, f.reportYear))),
        s('text', { class: `trend-value trend-${side}-value`, x: cx, y: side === 'target' ? cy - size * 0.7 : cy + size * 1.1, 'text-anchor': 'middle' }, f.text),
      );
    }
    return g;
  };
  svg.append(line('target'), line('result'));
  const legend = h(
    'p',
    { class: 'trend-legend muted small' },
    h('span', { class: 'legend-key legend-target', 'aria-hidden': 'true' }),
    PT.legendTarget,
    h('span', { class: 'legend-key legend-result', 'aria-hidden': 'true' }),
    PT.legendResult,
    series.some((p) => p.target?.high !== undefined) ? ` · ${PT.trendRange}` : '',
  );
  trend.replaceChildren(h('p', { class: 'chart-caption' }, PT.trendTitle(state.indicator)), svg, legend);
}

/** 1, 2 or 5 times a power of ten, at least `raw`. @param {number} raw */
function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

// ——————————————————————————————— start ———————————————————————————————

tabTargets.addEventListener('click', () => selectTab('targets'));
tabProgress.addEventListener('click', () => selectTab('progress'));
for (const tab of [tabTargets, tabProgress]) {
  tab.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      selectTab(tab === tabTargets ? 'progress' : 'targets', true);
    }
  });
}
regionSelect.addEventListener('change', () => {
  state.region = regionSelect.value;
  void showRegion().catch(() => renderError(PT.loadError));
});
yearSelect.addEventListener('change', () => {
  state.year = Number(yearSelect.value);
  renderYear();
  writeHash();
});
indicatorSelect.addEventListener('change', () => {
  state.indicator = indicatorSelect.value;
  renderTrend();
  writeHash();
});
new ResizeObserver(() => {
  if (state.trendWidth && !trendBox.hidden && Math.floor(trend.clientWidth) !== state.trendWidth) renderTrend();
}).observe(trend);

if (hashChoices().progress) selectTab('progress');
