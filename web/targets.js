// @ts-check
/**
 * 目标一览: every quantified target and result of the loaded reports in one table, filtered in the
 * browser (the rows are fetched once from /api/targets), sortable, with a bar chart when the rows
 * shown are comparable and a CSV download of the same filters.
 *
 * Plain ES module with JSDoc types, no build step, no library. Every dynamic string reaches the DOM as
 * a text node or an attribute value: never through innerHTML. The filters live in the URL query, so a
 * view can be shared and survives a reload.
 */
import { spanSegments } from './highlight.js';
import { T, TT } from './messages.js';
import { byId, h } from './dom.js';

/**
 * @typedef {'target' | 'result' | 'five-year-target' | 'five-year-result'} Kind
 * @typedef {{ report: string, title: string, region: string, year: number, years: string, reportYear: number, kind: Kind, indicator: string,
 *   wording: string, value: number, high?: number, unit: string, qualifier: string, growth: boolean,
 *   main: boolean, text: string, span: string, quote: string, paragraph: number, section: string }} Target
 * @typedef {{ t: Target, index: number, rank: number, hay: string, tr?: HTMLTableRowElement }} Row
 * @typedef {'region' | 'year' | 'kind' | 'indicator' | 'value' | 'span'} SortKey
 * @typedef {{ indicator: string, region: string, year: string, kind: string, main: boolean, q: string,
 *   sort: SortKey | '', order: 'asc' | 'desc' }} Filters
 */

/** @type {readonly Kind[]} */
const KINDS = ['target', 'result', 'five-year-target', 'five-year-result'];
/** Columns in display order; the first click on 数值 sorts from the largest, on the others from A. */
/** @type {ReadonlyArray<{ key: SortKey, label: string, numeric: boolean }>} */
const COLUMNS = [
  { key: 'region', label: TT.columns.region, numeric: false },
  { key: 'year', label: TT.columns.year, numeric: true },
  { key: 'kind', label: TT.columns.kind, numeric: false },
  { key: 'indicator', label: TT.columns.indicator, numeric: false },
  { key: 'value', label: TT.columns.value, numeric: true },
  { key: 'span', label: TT.columns.span, numeric: false },
];
const SORT_KEYS = new Set(COLUMNS.map((c) => c.key));
const SVG_NS = 'http://www.w3.org/2000/svg';
const collator = new Intl.Collator('zh-CN', { numeric: true });

// ——————————————————————————————— DOM helpers ———————————————————————————————


/**
 * An SVG element with its attributes.
 *
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {...(Node | string)} children
 * @returns {SVGElement}
 */
function s(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

/** @param {EventTarget | null} t */
function isEditable(t) {
  return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

/** Full-width forms folded, case ignored: what the text box compares. @param {string} text */
function fold(text) {
  return text.normalize('NFKC').toLowerCase();
}

// ——————————————————————————————— page state ———————————————————————————————

const form = /** @type {HTMLFormElement} */ (byId('filters'));
const indicatorSelect = /** @type {HTMLSelectElement} */ (byId('f-indicator'));
const regionSelect = /** @type {HTMLSelectElement} */ (byId('f-region'));
const yearSelect = /** @type {HTMLSelectElement} */ (byId('f-year'));
const kindSelect = /** @type {HTMLSelectElement} */ (byId('f-kind'));
const mainBox = /** @type {HTMLInputElement} */ (byId('f-main'));
const words = /** @type {HTMLInputElement} */ (byId('words'));
const countLine = byId('count');
const csvLink = /** @type {HTMLAnchorElement} */ (byId('csv'));
const csvNote = byId('csv-note');
const chartBox = byId('chart-box');
const chart = byId('chart');
const tableWrap = byId('table-wrap');
const statusLine = byId('status');

const state = {
  /** @type {Row[]} */ rows: [],
  /** @type {Row[]} */ shown: [],
  /** @type {Filters} */ filters: { indicator: '', region: '', year: '', kind: '', main: false, q: '', sort: '', order: 'asc' },
  /** @type {HTMLTableElement | undefined} */ table: undefined,
  /** @type {HTMLTableSectionElement | undefined} */ tbody: undefined,
  /** @type {HTMLElement | undefined} */ empty: undefined,
  chartWidth: 0,
  frame: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */ announceTimer: undefined,
};

/** @param {string} text */
function announce(text) {
  clearTimeout(state.announceTimer);
  // Said once typing pauses; re-setting the same text would not be announced again.
  state.announceTimer = setTimeout(() => {
    statusLine.textContent = '';
    statusLine.textContent = text;
  }, 400);
}

// ——————————————————————————————— filters and the URL ———————————————————————————————

/** @param {URLSearchParams} params @returns {Filters} */
function filtersFromQuery(params) {
  const sort = params.get('sort') ?? '';
  return {
    indicator: params.get('indicator') ?? '',
    region: params.get('region') ?? '',
    year: params.get('year') ?? '',
    kind: params.get('kind') ?? '',
    main: /^(1|true)$/.test(params.get('main') ?? ''),
    q: (params.get('q') ?? '').slice(0, 100),
    sort: SORT_KEYS.has(/** @type {SortKey} */ (sort)) ? /** @type {SortKey} */ (sort) : '',
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/**
 * The filters the API understands, as a query (the text box is the page's own).
 *
 * @param {Filters} f
 */
function apiQuery(f) {
  const params = new URLSearchParams();
  if (f.indicator) params.set('indicator', f.indicator);
  if (f.region) params.set('region', f.region);
  if (f.year) params.set('year', f.year);
  if (f.kind) params.set('kind', f.kind);
  if (f.main) params.set('main', '1');
  return params;
}

/** @param {Filters} f */
function pageQuery(f) {
  const params = apiQuery(f);
  if (f.q) params.set('q', f.q);
  if (f.sort) {
    params.set('sort', f.sort);
    params.set('order', f.order);
  }
  return params;
}

/** Sets a select to `value` when it offers it, else to its first option ("全部"). */
function setSelect(/** @type {HTMLSelectElement} */ select, /** @type {string} */ value) {
  select.value = [...select.options].some((o) => o.value === value) ? value : '';
}

/** @param {Filters} f */
function showFilters(f) {
  setSelect(indicatorSelect, f.indicator);
  setSelect(regionSelect, f.region);
  setSelect(yearSelect, f.year);
  setSelect(kindSelect, f.kind);
  mainBox.checked = f.main;
  words.value = f.q;
}

function readFilters() {
  const f = state.filters;
  f.indicator = indicatorSelect.value;
  f.region = regionSelect.value;
  f.year = yearSelect.value;
  f.kind = kindSelect.value;
  f.main = mainBox.checked;
  f.q = words.value.trim();
}

/** @param {Row} r @param {Filters} f @param {string[]} needles */
function matches(r, f, needles) {
  const t = r.t;
  return (
    (!f.indicator || t.indicator === f.indicator) &&
    (!f.region || t.region === f.region) &&
    (!f.year || String(t.year) === f.year) &&
    (!f.kind || t.kind === f.kind) &&
    (!f.main || t.main) &&
    needles.every((w) => r.hay.includes(w))
  );
}

// ——————————————————————————————— sorting ———————————————————————————————

/** @param {SortKey} key @returns {(a: Row, b: Row) => number} */
function comparator(key) {
  switch (key) {
    case 'region':
      return (a, b) => collator.compare(a.t.region, b.t.region);
    case 'year':
      return (a, b) => a.t.year - b.t.year;
    case 'kind':
      return (a, b) => KINDS.indexOf(a.t.kind) - KINDS.indexOf(b.t.kind);
    case 'indicator':
      return (a, b) => collator.compare(a.t.indicator, b.t.indicator);
    case 'value':
      return (a, b) => a.rank - b.rank;
    case 'span':
      return (a, b) => collator.compare(a.t.span, b.t.span);
  }
}

/** Sorted by the chosen column, ties (and no choice) in the reports' own order. @param {Row[]} rows */
function sortRows(rows) {
  const { sort, order } = state.filters;
  if (!sort) return rows.sort((a, b) => a.index - b.index);
  const cmp = comparator(sort);
  const sign = order === 'desc' ? -1 : 1;
  return rows.sort((a, b) => sign * cmp(a, b) || a.index - b.index);
}

/** @param {SortKey} key */
function sortBy(key) {
  const f = state.filters;
  const column = COLUMNS.find((c) => c.key === key);
  if (!column) return;
  if (f.sort === key) f.order = f.order === 'desc' ? 'asc' : 'desc';
  else {
    f.sort = key;
    f.order = key === 'value' ? 'desc' : 'asc';
  }
  update();
  announce(column.numeric ? TT.sorted(column.label, f.order === 'desc') : TT.sortedText(column.label, f.order === 'desc'));
}

// ——————————————————————————————— the table ———————————————————————————————

function buildTable() {
  const headRow = h('tr', {});
  for (const c of COLUMNS) {
    const button = h(
      'button',
      { type: 'button', class: 'sort-btn', 'data-sort': c.key, title: TT.sortHint(c.label) },
      c.label,
      h('span', { class: 'sort-icon', 'aria-hidden': 'true' }),
    );
    button.addEventListener('click', () => sortBy(c.key));
    headRow.append(h('th', { scope: 'col', class: `col-${c.key}`, 'data-col': c.key, 'aria-sort': 'none' }, button));
  }
  const tbody = /** @type {HTMLTableSectionElement} */ (h('tbody', {}));
  const table = /** @type {HTMLTableElement} */ (
    h('table', { class: 'targets' }, h('caption', { class: 'sr-only' }, TT.tableCaption), h('thead', {}, headRow), tbody)
  );
  const clear = h('button', { type: 'button', class: 'link-btn' }, TT.clearFilters);
  clear.addEventListener('click', clearFilters);
  const empty = h('div', { class: 'empty', hidden: true }, h('p', { class: 'empty-title' }, TT.empty), h('p', { class: 'muted' }, TT.emptyHint), clear);
  tableWrap.replaceChildren(table, empty);
  state.table = table;
  state.tbody = tbody;
  state.empty = empty;
}

/** A table row, built the first time it is shown and kept (an opened quote stays open). @param {Row} r */
function rowElement(r) {
  if (r.tr) return r.tr;
  const t = r.t;
  const indicator = h('td', { class: 'col-indicator' }, h('span', { class: 'indicator' }, t.indicator));
  if (t.wording && t.wording !== t.indicator) {
    indicator.setAttribute('title', TT.wording(t.wording));
    indicator.append(h('span', { class: 'wording' }, TT.wording(t.wording)));
  }
  const kind = h('td', { class: 'col-kind' }, h('span', { class: `kind kind-${t.kind}` }, TT.kinds[t.kind] ?? t.kind));
  if (t.main) kind.append(h('span', { class: 'main-tag' }, TT.mainTag));

  const at = t.quote.indexOf(t.span);
  const { before, inside, after } = at >= 0 ? spanSegments(t.quote, at, at + t.span.length) : { before: t.quote, inside: '', after: '' };
  const sentence = h('p', { class: 'quote-text' }, before, inside ? h('mark', { class: 'quote-span' }, inside) : null, after);
  const where = [t.title, ...t.section.split('›').map((x) => x.trim()).filter(Boolean)];
  const details = h(
    'details',
    { class: 'source' },
    h('summary', { title: TT.quoteLabel }, t.span),
    h(
      'div',
      { class: 'source-body' },
      h('blockquote', { class: 'quote' }, sentence),
      h('nav', { class: 'crumbs', 'aria-label': T.source }, h('ol', {}, ...where.map((x) => h('li', {}, x)))),
    ),
  );

  r.tr = /** @type {HTMLTableRowElement} */ (
    h(
      'tr',
      { 'data-report': t.report, 'data-index': r.index },
      h('td', { class: 'col-region', title: t.title }, t.region),
      // The year the figure is about, and below it the report it stands in (a 2025 result in the 2026 report).
      h('td', { class: 'col-year num', title: TT.reportYear(t.reportYear) }, t.years, h('small', { class: 'report-year' }, TT.reportYear(t.reportYear))),
      kind,
      indicator,
      h('td', { class: 'col-value num', 'data-value': r.rank }, t.text),
      h('td', { class: 'col-span' }, details),
    )
  );
  return r.tr;
}

function renderTable() {
  const { table, tbody, empty } = state;
  if (!table || !tbody || !empty) return;
  const { sort, order } = state.filters;
  for (const th of table.querySelectorAll('th[data-col]')) {
    const key = th.getAttribute('data-col');
    const on = key === sort;
    th.setAttribute('aria-sort', on ? (order === 'desc' ? 'descending' : 'ascending') : 'none');
    const icon = th.querySelector('.sort-icon');
    if (icon) icon.textContent = on ? (order === 'desc' ? '▼' : '▲') : '↕';
  }
  tbody.replaceChildren(...state.shown.map(rowElement));
  table.hidden = state.shown.length === 0;
  empty.hidden = state.shown.length > 0;
}

// ——————————————————————————————— the chart ———————————————————————————————

/** @type {CanvasRenderingContext2D | null | undefined} */
let measureCtx;

/** Width of `text` in px at the chart's font; estimated when no canvas is available. @param {string} text @param {number} size */
function textWidth(text, size) {
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  if (measureCtx) {
    measureCtx.font = `${size}px ${getComputedStyle(chart).fontFamily}`;
    return measureCtx.measureText(text).width;
  }
  let w = 0;
  for (const ch of text) w += /[\u2e80-\uffff]/.test(ch) ? size : size * 0.6;
  return w;
}

/** Why the rows shown cannot be drawn as one chart, or '' when they can. @param {Row[]} rows */
function chartProblem(rows) {
  const distinct = (/** @type {(r: Row) => string} */ key) => new Set(rows.map(key)).size;
  if (distinct((r) => r.t.indicator) > 1) return TT.chartPickIndicator;
  if (distinct((r) => r.t.kind) > 1) return TT.chartPickKind;
  if (distinct((r) => `${r.t.unit.normalize('NFKC')}|${r.t.growth}`) > 1) return TT.chartMixedUnits;
  return '';
}

function renderChart() {
  const rows = state.shown;
  chartBox.hidden = rows.length === 0;
  if (!rows.length) return;
  const problem = chartProblem(rows);
  if (problem) {
    chartBox.classList.add('chart-note-only');
    chart.replaceChildren(h('p', { class: 'chart-note muted' }, problem));
    state.chartWidth = 0;
    return;
  }
  chartBox.classList.remove('chart-note-only');
  const first = /** @type {Row} */ (rows[0]);
  const bars = [...rows].sort((a, b) => b.rank - a.rank || collator.compare(a.t.region, b.t.region) || a.index - b.index);

  // Labels: the region, with the year when several years are shown, numbered when still ambiguous.
  const years = new Set(bars.map((r) => r.t.year)).size > 1;
  const seen = new Map();
  const labels = bars.map((r) => {
    const base = years ? `${r.t.region} ${r.t.year}` : r.t.region;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n > 1 ? `${base} (${n})` : base;
  });

  const width = Math.max(280, Math.floor(chart.clientWidth));
  state.chartWidth = width;
  const size = parseFloat(getComputedStyle(chart).fontSize) || 16;
  const rowH = Math.round(size * 2.1);
  const barH = Math.round(size * 1.3);
  const gap = Math.round(size * 0.6);
  const top = Math.round(size * 0.4);
  const labelW = Math.min(width * 0.35, Math.max(...labels.map((l) => textWidth(l, size)))) + gap;
  const valueW = Math.max(...bars.map((r) => textWidth(r.t.text, size))) + gap;
  const height = top * 2 + rowH * bars.length;

  const lo = Math.min(0, ...bars.map((r) => r.t.value));
  const hi = Math.max(0, ...bars.map((r) => r.t.high ?? r.t.value));
  const x0 = labelW + gap;
  const x1 = Math.max(x0 + 40, width - valueW - gap);
  const span = hi - lo || 1;
  const x = (/** @type {number} */ v) => x0 + ((v - lo) / span) * (x1 - x0);
  const zero = x(0);

  const svg = s('svg', {
    class: 'bars',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': TT.chartLabel(first.t.indicator, bars.length),
  });
  let anyRange = false;
  bars.forEach((r, i) => {
    const y = top + i * rowH;
    const mid = y + rowH / 2;
    const from = Math.min(zero, x(r.t.value));
    const to = Math.max(zero, x(r.t.value));
    const g = s('g', { class: 'bar-row', 'data-report': r.t.report }, s('title', {}, `${labels[i]}:${r.t.span}`));
    g.append(
      s('text', { class: 'bar-name', x: labelW, y: mid, 'text-anchor': 'end', 'dominant-baseline': 'central' }, labels[i] ?? ''),
      s('rect', { class: 'bar', x: from, y: mid - barH / 2, width: Math.max(1, to - from), height: barH, rx: 2 }),
    );
    let end = Math.max(zero, x(r.t.value));
    if (r.t.high !== undefined && r.t.high > r.t.value) {
      anyRange = true;
      const hx = x(r.t.high);
      g.append(s('rect', { class: 'bar-range', x: to, y: mid - barH / 2, width: Math.max(1, hx - to), height: barH, rx: 2 }));
      end = Math.max(end, hx);
    }
    g.append(s('text', { class: 'bar-label', x: end + gap / 2, y: mid, 'dominant-baseline': 'central' }, r.t.text));
    svg.append(g);
  });
  svg.append(s('line', { class: 'axis', x1: zero, x2: zero, y1: top / 2, y2: height - top / 2 }));

  const caption = h('p', { class: 'chart-caption' }, TT.chartTitle(first.t.indicator, TT.kinds[first.t.kind] ?? '', first.t.unit));
  chart.replaceChildren(caption, svg, anyRange ? h('p', { class: 'muted small chart-legend' }, TT.chartRange) : '');
}

// ——————————————————————————————— updating ———————————————————————————————

function update() {
  readFilters();
  const f = state.filters;
  const needles = fold(f.q).split(/\s+/).filter(Boolean);
  state.shown = sortRows(state.rows.filter((r) => matches(r, f, needles)));
  renderTable();
  renderChart();

  countLine.textContent = TT.count(state.shown.length, state.rows.length);
  const csv = apiQuery(f);
  csv.set('format', 'csv');
  csvLink.href = `/api/targets?${csv}`;
  csvNote.hidden = !f.q;
  csvNote.textContent = f.q ? TT.csvWordsNote : '';

  const query = pageQuery(f).toString();
  // The hash names the tab (#progress): kept.
  const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

function scheduleUpdate() {
  cancelAnimationFrame(state.frame);
  state.frame = requestAnimationFrame(() => {
    update();
    announce(TT.status(state.shown.length));
  });
}

function clearFilters() {
  showFilters({ ...state.filters, indicator: '', region: '', year: '', kind: '', main: false, q: '' });
  update();
  announce(TT.status(state.shown.length));
  indicatorSelect.focus();
}

// ——————————————————————————————— loading ———————————————————————————————

/**
 * @param {HTMLSelectElement} select
 * @param {string} all
 * @param {Array<[string, string]>} options value and label
 */
function fillSelect(select, all, options) {
  select.replaceChildren(h('option', { value: '' }, all), ...options.map(([value, label]) => h('option', { value }, label)));
}

/** @param {Target[]} targets */
function fillFilters(targets) {
  /** @type {Map<string, { regions: Set<string>, rows: number }>} */
  const byIndicator = new Map();
  for (const t of targets) {
    const e = byIndicator.get(t.indicator) ?? { regions: new Set(), rows: 0 };
    e.regions.add(t.region);
    e.rows++;
    byIndicator.set(t.indicator, e);
  }
  const indicators = [...byIndicator].sort(
    ([a, x], [b, y]) => y.regions.size - x.regions.size || y.rows - x.rows || collator.compare(a, b),
  );
  fillSelect(indicatorSelect, TT.allIndicators, indicators.map(([name, e]) => [name, TT.indicatorOption(name, e.regions.size)]));
  const regions = [...new Set(targets.map((t) => t.region))].sort(collator.compare);
  fillSelect(regionSelect, TT.allRegions, regions.map((r) => [r, r]));
  const years = [...new Set(targets.map((t) => t.year))].sort((a, b) => b - a);
  fillSelect(yearSelect, TT.allYears, years.map((y) => [String(y), TT.yearOption(y)]));
  const kinds = KINDS.filter((k) => targets.some((t) => t.kind === k));
  fillSelect(kindSelect, TT.allKinds, kinds.map((k) => [k, TT.kinds[k] ?? k]));
}

/** @param {string} message */
function renderLoadError(message) {
  chartBox.hidden = true;
  csvLink.hidden = true;
  countLine.textContent = '';
  tableWrap.replaceChildren(h('div', { class: 'error', role: 'alert' }, h('p', {}, message)));
}

/** @param {Target} t @param {number} index @returns {Row} */
function toRow(t, index) {
  const rank = t.high !== undefined ? (t.value + t.high) / 2 : t.value;
  const hay = fold(
    [t.region, t.title, `${t.years}年（${TT.reportYear(t.reportYear)}）`, TT.kinds[t.kind] ?? '', t.main ? TT.mainTag : '', t.indicator, t.wording, t.text, t.span, t.quote, t.section].join('\n'),
  );
  return { t, index, rank, hay };
}

async function start() {
  for (const control of [indicatorSelect, regionSelect, yearSelect, kindSelect, mainBox]) control.addEventListener('change', scheduleUpdate);
  words.addEventListener('input', scheduleUpdate);
  form.addEventListener('submit', (e) => e.preventDefault());
  words.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && words.value) {
      e.preventDefault();
      words.value = '';
      scheduleUpdate();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/' && !isEditable(e.target)) {
      e.preventDefault();
      words.focus();
      words.select();
    }
  });

  /** @type {unknown} */
  let body;
  try {
    const res = await fetch('/api/targets', { headers: { Accept: 'application/json' } });
    body = await res.json().catch(() => undefined);
    if (!res.ok) {
      const message = /** @type {{ error?: { message?: string } } | undefined} */ (body)?.error?.message;
      renderLoadError(message ? `${TT.loadError}（${message}）` : TT.loadError);
      return;
    }
  } catch {
    renderLoadError(TT.loadError);
    return;
  }
  const targets = /** @type {{ targets?: unknown }} */ (body ?? {}).targets;
  if (!Array.isArray(targets)) {
    renderLoadError(TT.loadError);
    return;
  }
  if (targets.length === 0) {
    chartBox.hidden = true;
    csvLink.hidden = true;
    tableWrap.replaceChildren(h('p', { class: 'empty-title' }, TT.noTargets));
    return;
  }
  state.rows = /** @type {Target[]} */ (targets).map(toRow);
  fillFilters(state.rows.map((r) => r.t));
  buildTable();
  const restored = filtersFromQuery(new URL(location.href).searchParams);
  state.filters.sort = restored.sort;
  state.filters.order = restored.order;
  showFilters(restored);
  update();

  // The chart is drawn in real pixels (text stays its size): redrawn when its width changes.
  new ResizeObserver(() => {
    if (state.chartWidth && Math.floor(chart.clientWidth) !== state.chartWidth) renderChart();
  }).observe(chart);
}

void start().finally(() => {
  document.body.dataset.ready = 'true';
});
