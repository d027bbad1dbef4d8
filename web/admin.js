// The console (/admin): sign in, the reports (upload with a preview, remove), the questions people
// asked and the audit log. Plain DOM; everything that comes from a file, a report or a question is
// written with textContent (through h()), never as markup.
import { byId, h } from './dom.js';

/** @typedef {{ name: string, role: 'admin' | 'reviewer', csrf: string }} Me */

const CHANNELS = /** @type {Record<string, string>} */ ({ web: '网页', telegram: 'Telegram', wechat: '微信公众号', wecom: '企业微信', cli: '命令行' });
const ACTIONS = /** @type {Record<string, string>} */ ({
  'session.create': '登录',
  'session.delete': '退出登录',
  'session.refused': '登录失败',
  'session.limited': '登录被限制',
  'report.preview': '预览报告',
  'report.add': '添加报告',
  'report.add.failed': '添加报告失败',
  'report.remove': '删除报告',
  'questions.export': '导出提问记录',
});
/** Where a field was read from (src/corpus/meta.ts), in the clerk's words. */
const FROM = /** @type {Record<string, string>} */ ({
  given: '您填写的',
  title: '标题',
  'meeting line': '会议说明行',
  speaker: '报告人',
  'speaker line': '报告人',
  'file name': '文件名',
  headings: '正文标题',
  text: '正文',
  'text (short name)': '正文中的简称',
  'national congress or State Council': '全国人大会议或国务院',
  'title completed with region and year': '标题,补上地区和年份',
  'region and year': '由地区和年份组成',
});
const LEVELS = /** @type {Record<string, string>} */ ({ country: '全国', province: '省级', city: '市级', county: '县区级', area: '片区' });
const OFFLINE = '无法连接服务器,请检查网络后再试。';

/** @type {Me | undefined} */
let me;
/** The file being previewed. @type {File | undefined} */
let pending;
/** What its first preview read, so only the fields the clerk changed are sent as corrections. @type {Record<string, string>} */
let detected = {};
/** The report the last preview would replace, if any. @type {{ id: string, title: string } | undefined} */
let replaces;

const status = byId('status');
const say = (/** @type {string} */ text) => void (status.textContent = text);

/**
 * fetch for the console: same origin, the session's CSRF token on every change, JSON back.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<{ ok: boolean, status: number, body: any }>}
 */
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (init.method && init.method !== 'GET' && me) headers.set('X-CSRF-Token', me.csrf);
  let res;
  try {
    res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, body: { error: { message: OFFLINE } } };
  }
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 && me) {
    // The session ended (idle, signed out elsewhere, password reset): back to the sign-in form.
    location.assign('/admin/signin');
  }
  return { ok: res.ok, status: res.status, body };
}

/** @param {{ body: any }} r */
const messageOf = (r) => r.body?.error?.message ?? '操作没有成功,请稍后再试。';

/** @param {string} iso */
function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('zh-CN', { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/**
 * A table cell that says its column's name too: on a phone the rows are shown as cards, each cell
 * labelled (admin.css reads data-label).
 * @param {string} label
 * @param {Record<string, string | undefined>} attrs
 * @param {...(Node | string | null | undefined | false)} children
 */
const cell = (label, attrs, ...children) => h('td', { ...attrs, 'data-label': label }, ...children);

/** @param {HTMLElement} tbody @param {number} cols @param {string} text */
function emptyRow(tbody, cols, text) {
  tbody.replaceChildren(h('tr', {}, h('td', { colspan: cols, class: 'empty' }, text)));
}

// ——— sign-in ———

async function start() {
  const onSignIn = location.pathname === '/admin/signin';
  const r = await api('/api/admin/session');
  if (!r.ok) {
    if (!onSignIn) return location.assign('/admin/signin');
    return showSignIn();
  }
  if (onSignIn) return location.assign('/admin');
  me = r.body;
  showConsole();
}

function showSignIn() {
  const form = /** @type {HTMLFormElement} */ (byId('sign-in'));
  form.hidden = false;
  const name = /** @type {HTMLInputElement} */ (byId('name'));
  const password = /** @type {HTMLInputElement} */ (byId('password'));
  const error = byId('sign-in-error');
  name.focus();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!name.value.trim() || !password.value) {
      error.textContent = '请填写用户名和密码。';
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    const r = await api('/api/admin/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: name.value.trim(), password: password.value }),
    });
    button.disabled = false;
    if (r.ok) return location.assign('/admin');
    error.textContent = messageOf(r);
    password.value = '';
    password.focus();
  });
}

function showConsole() {
  if (!me) return;
  const who = byId('who');
  who.textContent = `${me.name}(${me.role === 'admin' ? '管理员' : '审核员'})`;
  who.hidden = false;
  const out = byId('sign-out');
  out.hidden = false;
  out.addEventListener('click', async () => {
    await api('/api/admin/session', { method: 'DELETE' });
    me = undefined;
    location.assign('/admin/signin');
  });
  const tabs = byId('tabs');
  tabs.hidden = false;
  // A reviewer sees questions and feedback only: the admin tabs are not there at all.
  for (const a of tabs.querySelectorAll('[data-role=admin]')) if (me.role !== 'admin') a.remove();
  window.addEventListener('hashchange', route);
  setupUpload();
  setupQuestions();
  route();
}

function route() {
  if (!me) return;
  const allowed = me.role === 'admin' ? ['reports', 'questions', 'audit'] : ['questions'];
  const wanted = location.hash.slice(1);
  const tab = allowed.includes(wanted) ? wanted : /** @type {string} */ (allowed[0]);
  for (const name of ['reports', 'questions', 'audit']) {
    const view = byId(`view-${name}`);
    view.hidden = name !== tab;
  }
  for (const a of byId('tabs').querySelectorAll('a')) {
    if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  say('');
  if (tab === 'reports') void loadReports();
  if (tab === 'questions') void loadQuestions();
  if (tab === 'audit') void loadAudit();
}

// ——— reports ———

async function loadReports() {
  const tbody = /** @type {HTMLElement} */ (byId('reports-table').querySelector('tbody'));
  const r = await api('/api/admin/reports');
  if (!r.ok) return emptyRow(tbody, 8, messageOf(r));
  /** @type {any[]} */
  const reports = r.body.reports;
  const reload = r.body.reload;
  byId('reload-status').textContent = reload
    ? reload.building
      ? '正在重新载入报告……'
      : reload.lastError
        ? `最近一次载入失败(${when(reload.lastError.at)}),仍在使用之前的报告。`
        : `报告于 ${when(reload.loadedAt)} 载入,共 ${reports.length} 份。`
    : '';
  if (!reports.length) return emptyRow(tbody, 8, '还没有报告。');
  tbody.replaceChildren(
    ...reports.map((rep) =>
      h(
        'tr',
        {},
        cell('报告', { class: 'title' }, h('span', { class: 'strong' }, rep.title), h('br'), h('small', { class: 'muted' }, rep.id)),
        cell('地区与级别', { class: 'nowrap' }, rep.region, rep.level ? h('small', { class: 'muted' }, ` · ${LEVELS[rep.level] ?? rep.level}`) : null),
        cell('年份', { class: 'nowrap' }, String(rep.year)),
        cell('各部分', {}, h('ul', { class: 'plain' }, ...rep.periods.map((/** @type {any} */ p) => h('li', {}, p.label)))),
        cell('段落', { class: 'num' }, String(rep.paragraphs)),
        cell('来源文件', {}, rep.original ? rep.original.name : rep.file),
        cell('添加', {}, rep.addedBy ? `${rep.addedBy}` : rep.original ? '服务器上添加' : '随部署附带', rep.addedAt || rep.original ? h('br') : null, h('small', { class: 'muted' }, when(rep.addedAt ?? rep.original?.addedAt ?? ''))),
        cell('操作', {}, removeButton(rep)),
      ),
    ),
  );
}

/** @param {{ id: string, title: string }} rep */
function removeButton(rep) {
  const b = h('button', { class: 'btn danger small', type: 'button', 'aria-label': `删除:${rep.title}` }, '删除');
  b.addEventListener('click', async () => {
    if (!(await confirmDialog(`确定删除「${rep.title}」吗?删除后立即下线,提问将不再引用这份报告。`))) return;
    say('正在删除……');
    const r = await api(`/api/admin/reports/${encodeURIComponent(rep.id)}`, { method: 'DELETE' });
    say(r.ok ? `已删除:${rep.title}` : messageOf(r));
    await loadReports();
  });
  return b;
}

/** @param {string} text @param {string} [ok] the button that goes ahead @returns {Promise<boolean>} */
function confirmDialog(text, ok = '删除') {
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm'));
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = ok;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

function setupUpload() {
  const drop = byId('drop');
  const input = /** @type {HTMLInputElement} */ (byId('file'));
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void preview(f, {});
    input.value = '';
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void preview(f, {});
  });
  const form = /** @type {HTMLFormElement} */ (byId('preview'));
  byId('p-refresh').addEventListener('click', () => pending && void preview(pending, corrections()));
  byId('p-cancel').addEventListener('click', () => {
    pending = undefined;
    form.hidden = true;
    say('已取消。');
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!pending) return;
    const error = byId('preview-error');
    const year = corrections().year;
    if (year && !/^\d{4}$/.test(year)) {
      error.textContent = '年份应为四位数字,例如 2026。';
      return;
    }
    if (replaces && !(await confirmDialog(`添加后将替换已有的「${replaces.title}」,原来的版本不再保留。确定替换吗?`, '替换'))) return;
    const add = /** @type {HTMLButtonElement} */ (byId('p-add'));
    add.disabled = true;
    say('正在添加并重新载入,通常需要几秒到几十秒……');
    const r = await api('/api/admin/reports', { method: 'POST', body: formOf(pending, corrections()) });
    add.disabled = false;
    if (!r.ok) {
      error.textContent = messageOf(r);
      say('');
      return;
    }
    pending = undefined;
    form.hidden = true;
    const rep = r.body.report;
    say(r.body.live ? `已添加并上线:${rep.title}` : `已保存:${rep.title}。重新载入没有成功,服务仍在使用之前的报告,请稍后查看。`);
    await loadReports();
  });
}

/** @returns {Record<string, string>} */
function corrections() {
  /** @type {Record<string, string>} */
  const out = {};
  for (const k of ['title', 'region', 'year']) {
    const v = /** @type {HTMLInputElement} */ (byId(`p-${k}`)).value.trim();
    if (v && v !== detected[k]) out[k] = v;
  }
  return out;
}

/** @param {File} file @param {Record<string, string>} fields */
function formOf(file, fields) {
  const f = new FormData();
  f.set('file', file, file.name);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

/** @param {File} file @param {Record<string, string>} fields */
async function preview(file, fields) {
  const form = /** @type {HTMLFormElement} */ (byId('preview'));
  const error = byId('preview-error');
  error.textContent = '';
  if (file.size > 50 * 1024 * 1024) {
    say('文件太大(超过 50 MB)。');
    return;
  }
  say(`正在读取 ${file.name}……`);
  const r = await api('/api/admin/reports/preview', { method: 'POST', body: formOf(file, fields) });
  if (!r.ok) {
    say(messageOf(r));
    if (pending === file) error.textContent = messageOf(r);
    return;
  }
  const p = r.body;
  if (pending !== file) detected = { title: String(p.title ?? ''), region: String(p.region ?? ''), year: String(p.year ?? '') };
  pending = file;
  byId('preview-file').textContent = file.name;
  for (const k of ['title', 'region', 'year']) {
    /** @type {HTMLInputElement} */ (byId(`p-${k}`)).value = String(p[k] ?? '');
    const from = p.detectedFrom?.[k];
    byId(`p-${k}-from`).textContent = !from ? '' : from.startsWith('missing') ? '未能读出,请核对后填写' : `读自:${FROM[from] ?? from}`;
  }
  const replaced = byId('p-replaced');
  replaces = p.replaced;
  replaced.hidden = !p.replaced;
  replaced.textContent = p.replaced ? `添加后将替换已有的「${p.replaced.title}」。` : '';
  const list = (/** @type {string} */ id, /** @type {string[]} */ items, /** @type {string} */ none) =>
    byId(id).replaceChildren(...(items.length ? items.map((t) => h('li', {}, t)) : [h('li', { class: 'muted' }, none)]));
  list('p-periods', p.periods.map((/** @type {any} */ x) => `${x.label}(${x.paragraphs} 段)`), '未分出部分');
  list('p-outline', p.outline.slice(0, 40), '没有读出标题');
  list(
    'p-targets',
    p.targets
      .slice(0, 12)
      .map((/** @type {any} */ t) => `${t.kind} · ${t.indicator}:${t.value}${t.high !== undefined ? `—${t.high}` : ''}${t.unit}${t.qualifier && t.qualifier !== 'range' ? t.qualifier : ''}`),
    '没有找到数字目标',
  );
  list('p-dropped', p.dropped.map((/** @type {any} */ d) => `${d.kind} × ${d.count}${d.samples?.length ? `(如「${d.samples[0]}」)` : ''}`), '没有');
  form.hidden = false;
  say(`已读取 ${file.name}:共 ${p.paragraphs} 段。请核对后添加。`);
  byId('p-year').focus();
}

// ——— questions ———

function questionQuery() {
  const q = new URLSearchParams();
  if (/** @type {HTMLInputElement} */ (byId('q-refused')).checked) q.set('refused', '1');
  if (/** @type {HTMLInputElement} */ (byId('q-down')).checked) q.set('vote', 'down');
  for (const [k, id] of [['channel', 'q-channel'], ['from', 'q-from'], ['to', 'q-to']]) {
    const v = /** @type {HTMLInputElement} */ (byId(/** @type {string} */ (id))).value;
    if (v) q.set(/** @type {string} */ (k), v);
  }
  return q;
}

function setupQuestions() {
  byId('q-filters').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadQuestions();
  });
}

async function loadQuestions() {
  const q = questionQuery();
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');
  /** @type {HTMLAnchorElement} */ (byId('q-csv')).href = `/api/admin/questions?${csv}`;
  const top = new URLSearchParams(q);
  top.delete('refused');
  top.delete('vote');
  void loadTop(top);
  const tbody = /** @type {HTMLElement} */ (byId('questions-table').querySelector('tbody'));
  const r = await api(`/api/admin/questions?${q}`);
  if (!r.ok) return emptyRow(tbody, 6, messageOf(r));
  /** @type {any[]} */
  const rows = r.body.questions;
  drawChart(r.body.days ?? []);
  byId('q-count').textContent = `共 ${rows.length} 条${rows.length >= 5000 ? '(只显示最近的 5000 条)' : ''}。`;
  if (!rows.length) return emptyRow(tbody, 6, '没有符合条件的提问。');
  tbody.replaceChildren(
    ...rows.slice(0, 1000).map((x) =>
      h(
        'tr',
        {},
        cell('时间', { class: 'nowrap' }, when(x.at)),
        cell('渠道', {}, CHANNELS[x.channel] ?? x.channel),
        cell('问题', { class: 'question' }, given(x)),
        cell('结果', {}, h('span', { class: x.found ? 'tag ok' : 'tag no' }, x.found ? '已回答' : '未能回答')),
        cell('出处或拒答规则', {}, x.found ? (x.section ?? '') : [...new Set([x.reason, x.rule].filter(Boolean))].join(' · ')),
        cell('反馈', { class: 'nowrap' }, x.up || x.down ? `👍 ${x.up} 👎 ${x.down}` : ''),
      ),
    ),
  );
}

/**
 * The question, opening (a <details>: Enter or Space on its summary) to the answer as it was given and
 * its quotes, so a clerk can tell a gap in the report from a gap in the bot.
 * @param {{ question: string, answer?: string | null, citations?: Array<{ doc: string, section: string, quote: string }> }} x
 */
function given(x) {
  const quotes = x.citations ?? [];
  return h(
    'details',
    { class: 'given' },
    h('summary', { dir: 'auto' }, x.question),
    x.answer ? h('p', { class: 'answer', dir: 'auto' }, h('strong', {}, '当时的回答:'), x.answer) : h('p', { class: 'hint' }, '这条记录没有保存当时的回答。'),
    ...(quotes.length
      ? [
          h('p', { class: 'hint' }, '引用的原文:'),
          h(
            'ol',
            { class: 'quotes' },
            ...quotes.map((c) => h('li', {}, h('blockquote', { dir: 'auto' }, c.quote), h('cite', { dir: 'auto' }, [c.doc, c.section].filter(Boolean).join(' › ')))),
          ),
        ]
      : []),
  );
}

/**
 * The most asked questions for the channel and days chosen (the refused and 👎 filters are for the list).
 * @param {URLSearchParams} q
 */
async function loadTop(q) {
  const tbody = /** @type {HTMLElement} */ (byId('top-table').querySelector('tbody'));
  const r = await api(`/api/admin/questions/top?${q}`);
  if (!r.ok) return emptyRow(tbody, 4, messageOf(r));
  /** @type {Array<{ question: string, count: number, refused: number, refusedShare: number, lastAt: string }>} */
  const rows = r.body.questions;
  if (!rows.length) return emptyRow(tbody, 4, '这段时间没有人提问。');
  tbody.replaceChildren(
    ...rows.map((x) =>
      h(
        'tr',
        {},
        cell('问题', { class: 'question', dir: 'auto' }, x.question),
        cell('次数', { class: 'nowrap num' }, String(x.count)),
        cell('未能回答', { class: 'nowrap num' }, x.refused ? `${x.refused} 次(${Math.round(x.refusedShare * 100)}%)` : '—'),
        cell('最近一次', { class: 'nowrap' }, when(x.lastAt)),
      ),
    ),
  );
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {...Node} children
 */
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/**
 * Questions and refusals per day as bars (an inline SVG: nothing to download, styled by admin.css).
 * @param {Array<{ day: string, asked: number, refused: number }>} days
 */
function drawChart(days) {
  const figure = byId('q-chart');
  figure.querySelector('svg')?.remove();
  figure.hidden = days.length === 0;
  if (!days.length) return;
  const max = Math.max(...days.map((d) => d.asked), 1);
  const W = 640;
  const H = 140;
  const top = 16;
  const bottom = 22;
  const step = W / days.length;
  const bar = Math.max(1, Math.min(24, step * 0.7));
  const y = (/** @type {number} */ n) => H - bottom - (n / max) * (H - top - bottom);
  const total = days.reduce((a, d) => a + d.asked, 0);
  const refused = days.reduce((a, d) => a + d.refused, 0);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${days[0]?.day} 至 ${days[days.length - 1]?.day},共 ${total} 个提问,${refused} 个未能回答` });
  chart.append(svg('line', { x1: 0, x2: W, y1: H - bottom, y2: H - bottom, class: 'axis' }));
  chart.append(svg('text', { x: 0, y: 11, class: 'label' }, document.createTextNode(`最多 ${max}`)));
  days.forEach((d, i) => {
    const x = i * step + (step - bar) / 2;
    const asked = svg('rect', { x, y: y(d.asked), width: bar, height: H - bottom - y(d.asked), class: 'asked' });
    asked.append(svg('title', {}, document.createTextNode(`${d.day}:提问 ${d.asked},未能回答 ${d.refused}`)));
    chart.append(asked);
    if (d.refused) chart.append(svg('rect', { x, y: y(d.refused), width: bar, height: H - bottom - y(d.refused), class: 'refused' }));
  });
  const first = days[0];
  const last = days[days.length - 1];
  if (first) chart.append(svg('text', { x: 0, y: H - 6, class: 'label' }, document.createTextNode(first.day)));
  if (last && days.length > 1) chart.append(svg('text', { x: W, y: H - 6, class: 'label end' }, document.createTextNode(last.day)));
  figure.prepend(chart);
}

// ——— audit ———

async function loadAudit() {
  const tbody = /** @type {HTMLElement} */ (byId('audit-table').querySelector('tbody'));
  const r = await api('/api/admin/audit');
  if (!r.ok) return emptyRow(tbody, 5, messageOf(r));
  /** @type {any[]} */
  const entries = r.body.entries;
  if (!entries.length) return emptyRow(tbody, 5, '还没有记录。');
  tbody.replaceChildren(
    ...entries.map((e) =>
      h(
        'tr',
        {},
        cell('时间', { class: 'nowrap' }, when(e.at)),
        cell('账号', { dir: 'auto' }, e.actor),
        cell('操作', { class: 'nowrap' }, ACTIONS[e.action] ?? e.action),
        cell('对象', { dir: 'auto' }, [e.target, e.detail].filter(Boolean).join(' · ')),
        cell('来自', { class: 'nowrap' }, e.address ?? ''),
      ),
    ),
  );
}

void start();
