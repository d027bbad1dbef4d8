// @ts-check
/**
 * The web page: one search box, the answer with its figures marked, each quote as a card with its
 * breadcrumb and the full paragraph on demand, the report's outline in a side panel.
 *
 * Plain ES modules with JSDoc types, no build step. Every dynamic string reaches the DOM as a text node
 * (`h()` below, `textContent`): never through innerHTML.
 */
import { breadcrumb, markSegments, spanSegments } from './highlight.js';
import { T } from './messages.js';
import { byId, h } from './dom.js';

/**
 * @typedef {{ text: string, start: number, end: number }} QuoteContext
 * @typedef {{ doc: string, section: string, quote: string, score: number, docId: string, paragraph: number,
 *   start: number, end: number, context: QuoteContext }} Citation
 * @typedef {{ question: string, found: boolean, answer: string, citations: Citation[], latencyMs: number,
 *   intent: string, reason?: string, highlights: string[], notice?: string, interpretedAs?: string }} Answer
 * @typedef {{ docId: string, title: string, level: number, paragraph?: number, children: OutlineNode[] }} OutlineNode
 * @typedef {{ docId: string, doc: string, paragraph: number, section: string, topic?: string, text: string,
 *   heading: boolean }} SectionParagraph
 * @typedef {{ docId: string, doc: string, path: string[], focus?: number, paragraphs: SectionParagraph[] }} SectionView
 * @typedef {{ id: string, title: string, region: string, year: number }} DocumentInfo
 * @typedef {{ version: string, title: string, examples: string[], examplesByReport?: Record<string, string[]>,
 *   documents?: DocumentInfo[], defaultRegion?: string, feedback: boolean, maxQuestionChars: number }} Meta
 * @typedef {{ error?: { code: string, message: string }, requestId?: string }} ErrorBody
 * @typedef {{ start: number, end: number, highlights: string[] }} Span
 */

const LARGE_TEXT_KEY = 'workplan.largeText';
const REPORT_KEY = 'workplan.report';
const PATH_SEPARATOR = ' › ';
/** A longer question is echoed above its answer by its first this many characters and "…" (the box keeps it whole). */
const ECHO_CHARS = 60;
/** A longer question is not put in the address (?q=): a reload would send a request line too long to serve. */
const URL_QUESTION_CHARS = 200;
/** What the API accepts when /api/meta does not say. */
const DEFAULT_MAX_QUESTION_CHARS = 2000;

// ——————————————————————————————— DOM helpers ———————————————————————————————


/**
 * Appends `text` to `parent` with every needle wrapped in <mark class="cls">.
 *
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {readonly string[]} needles
 * @param {string} [cls]
 */
function appendMarked(parent, text, needles, cls = 'fig') {
  for (const seg of markSegments(text, needles)) parent.append(seg.mark ? h('mark', { class: cls }, seg.text) : seg.text);
}

/**
 * A paragraph with [start, end) marked as the quoted span, figures marked inside it.
 *
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {Span} span
 */
function appendSpan(parent, text, span) {
  const { before, inside, after } = spanSegments(text, span.start, span.end);
  const mark = h('mark', { class: 'quote-span' });
  appendMarked(mark, inside, span.highlights);
  parent.append(before, mark, after);
}

/** @param {EventTarget | null} t */
function isEditable(t) {
  return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

/**
 * Moves focus within `items` by a key: arrows step (wrapping), Home/End jump. Returns whether it moved.
 *
 * @param {KeyboardEvent} e
 * @param {HTMLElement[]} items
 * @param {HTMLElement} current
 * @param {{ horizontal?: boolean }} [opts]
 */
function rove(e, items, current, opts = {}) {
  const i = items.indexOf(current);
  if (i < 0 || items.length === 0) return false;
  const next = opts.horizontal ? ['ArrowRight', 'ArrowDown'] : ['ArrowDown'];
  const prev = opts.horizontal ? ['ArrowLeft', 'ArrowUp'] : ['ArrowUp'];
  let j;
  if (next.includes(e.key)) j = (i + 1) % items.length;
  else if (prev.includes(e.key)) j = (i - 1 + items.length) % items.length;
  else if (e.key === 'Home') j = 0;
  else if (e.key === 'End') j = items.length - 1;
  else return false;
  e.preventDefault();
  items[j]?.focus();
  return true;
}

// ——————————————————————————————— page state ———————————————————————————————

const form = /** @type {HTMLFormElement} */ (byId('ask-form'));
const input = /** @type {HTMLInputElement} */ (byId('q'));
const emptyHint = byId('q-empty');
const chips = byId('chips');
const result = byId('result');
const statusLine = byId('status');
const outlinePanel = byId('outline');
const outlineTree = byId('outline-tree');
const outlineToggle = byId('outline-toggle');
const outlineClose = byId('outline-close');
const scrim = byId('scrim');
const largeText = byId('large-text');
const title = byId('title');
const reportRow = byId('report-row');
const reportSelect = /** @type {HTMLSelectElement} */ (byId('report'));

const state = {
  /** @type {Meta | undefined} */ meta: undefined,
  /** @type {Answer | undefined} */ lastAnswer: undefined,
  /** @type {AbortController | undefined} */ inflight: undefined,
  /** @type {OutlineNode[]} */ outline: [],
  /** The report chosen in the selector ('' for all). */
  report: '',
  /** @type {readonly string[]} The example questions shown as chips. */ examples: [],
  serial: 0,
  /** This tab's conversation: follow-ups (去年呢) are read against its last answered question. */
  conversation: conversationId(),
};

/** A random id per browser tab, kept across reloads of the tab (sessionStorage). */
function conversationId() {
  const key = 'workplan-conversation';
  try {
    const kept = sessionStorage.getItem(key);
    if (kept && /^[\w-]{8,64}$/.test(kept)) return kept;
    const made = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
    sessionStorage.setItem(key, made);
    return made;
  } catch {
    return '';
  }
}

/** @param {string} text */
function announce(text) {
  // Re-setting the same text would not be announced again.
  statusLine.textContent = '';
  statusLine.textContent = text;
}

/**
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<{ ok: boolean, status: number, body: any }>}
 */
async function request(url, init = {}) {
  const res = await fetch(url, { ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } });
  const body = await res.json().catch(() => undefined);
  return { ok: res.ok, status: res.status, body };
}

// ——————————————————————————————— asking ———————————————————————————————

/**
 * The question as echoed above its answer: whole when short, else its first ECHO_CHARS characters
 * (code points, so no character is cut in half) and "…".
 *
 * @param {string} question
 */
function echoOf(question) {
  const chars = [...question];
  return chars.length > ECHO_CHARS ? `${chars.slice(0, ECHO_CHARS).join('')}…` : question;
}

/** An empty submit: nothing is sent, and a line under the box says what to do. */
function showEmptyHint() {
  const example = state.examples[0]?.replace(/[?？]\s*$/, '');
  const text = T.emptyQuestion(example);
  emptyHint.textContent = text;
  emptyHint.hidden = false;
  announce(text);
}

function hideEmptyHint() {
  if (emptyHint.hidden) return;
  emptyHint.hidden = true;
  // Emptied too: the box's description (aria-describedby) must not keep the old hint.
  emptyHint.textContent = '';
}

/**
 * A question was asked (or the box emptied): on a phone the example chips step aside while there is
 * a question, so its answer is on the first screen (style.css, body.has-question).
 *
 * @param {boolean} on
 */
function setAsked(on) {
  document.body.classList.toggle('has-question', on);
}

/** @param {string} raw */
async function ask(raw) {
  const question = raw.trim();
  if (!question) {
    showEmptyHint();
    input.focus();
    return;
  }
  hideEmptyHint();
  setAsked(true);
  // The box keeps everything typed; the API takes at most maxQuestionChars (the engine reads fewer
  // still, and says so in its notice).
  const max = state.meta?.maxQuestionChars ?? DEFAULT_MAX_QUESTION_CHARS;
  const chars = [...question];
  const sent = chars.length > max ? chars.slice(0, max).join('') : question;
  state.inflight?.abort();
  const controller = new AbortController();
  state.inflight = controller;
  const serial = ++state.serial;
  result.setAttribute('aria-busy', 'true');
  result.replaceChildren(h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), T.loading));
  try {
    const res = await request('/api/ask', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        question: sent,
        ...(state.report ? { report: state.report } : {}),
        ...(state.conversation ? { conversationId: state.conversation } : {}),
      }),
      signal: controller.signal,
    });
    if (serial !== state.serial) return;
    if (res.ok && res.body && typeof res.body.answer === 'string') {
      renderAnswer(/** @type {Answer} */ (res.body));
      const url = new URL(location.href);
      if (chars.length <= URL_QUESTION_CHARS) url.searchParams.set('q', question);
      else url.searchParams.delete('q');
      history.replaceState(null, '', url);
    } else {
      const body = /** @type {ErrorBody | undefined} */ (res.body);
      renderError(body?.error?.message ?? T.network, body?.requestId);
    }
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return;
    if (serial === state.serial) renderError(T.network);
  } finally {
    if (serial === state.serial) result.removeAttribute('aria-busy');
  }
}

/**
 * @param {string} message
 * @param {string} [requestId]
 */
function renderError(message, requestId) {
  result.replaceChildren(
    h('div', { class: 'error', role: 'alert' }, h('p', {}, message), requestId ? h('p', { class: 'muted small' }, T.errorId(requestId)) : null),
  );
}

/** @param {Answer} a */
function kindOf(a) {
  if (a.found) return 'found';
  return a.reason === 'chitchat' || a.reason === 'empty' ? 'info' : 'not-found';
}

/** @param {Answer} a */
function renderAnswer(a) {
  state.lastAnswer = a;
  const kind = kindOf(a);
  const highlights = a.found ? a.highlights ?? [] : [];
  const badge = kind === 'found' ? T.badgeFound : kind === 'info' ? T.badgeInfo : T.badgeNotFound;

  const answerText = h('p', { class: 'answer-text', id: 'answer-text' });
  appendMarked(answerText, a.answer, highlights);

  const article = h(
    'article',
    { class: 'answer', 'data-kind': kind, 'data-found': String(a.found), 'aria-labelledby': 'answer-text' },
    h('div', { class: 'answer-head' }, h('span', { class: `badge badge-${kind}` }, badge), h('p', { class: 'asked' }, T.asked, h('span', {}, echoOf(a.question)))),
    // How a follow-up was read, before the answer, so a misreading is seen first.
    a.interpretedAs ? h('p', { class: 'interpreted' }, T.interpretedAs(a.interpretedAs)) : null,
    answerText,
    a.notice ? h('p', { class: 'notice' }, a.notice) : null,
  );

  if (a.citations.length) {
    article.append(
      h('h2', { class: 'cards-heading', id: 'cards-heading' }, a.found ? T.sourcesFound(a.citations.length) : T.sourcesRelated(a.citations.length)),
      h('ol', { class: 'cards', 'aria-labelledby': 'cards-heading' }, ...a.citations.map((c, i) => h('li', {}, citationCard(c, i, highlights)))),
    );
  } else if (kind === 'not-found') {
    article.append(h('p', { class: 'muted' }, T.noRelated));
  }

  const foot = h('div', { class: 'answer-foot' }, h('span', { class: 'muted small' }, T.latency(a.latencyMs)));
  if (state.meta?.feedback && kind !== 'info') foot.append(feedbackBox(a));
  article.append(foot);

  result.replaceChildren(article);
  // Coming back from a long section further down: bring the question and its answer into view.
  if (form.getBoundingClientRect().top < 0) form.scrollIntoView({ block: 'start' });
  announce(a.found ? T.statusFound(a.answer) : a.answer);
}

/**
 * @param {Citation} c
 * @param {number} i
 * @param {string[]} highlights
 */
function citationCard(c, i, highlights) {
  const crumbs = breadcrumb(c.doc, c.section);
  const quote = h('p', {});
  appendMarked(quote, c.quote, highlights);

  const contextId = `context-${i}`;
  const paragraph = h('p', {});
  appendSpan(paragraph, c.context.text, { start: c.context.start, end: c.context.end, highlights });
  const context = h('div', { class: 'context', id: contextId, hidden: true }, h('h3', { class: 'sr-only' }, T.wholeParagraph), paragraph);

  const expand = h('button', { type: 'button', class: 'link-btn expand', 'aria-expanded': 'false', 'aria-controls': contextId }, T.expand);
  expand.addEventListener('click', () => {
    const open = context.hidden;
    context.hidden = !open;
    expand.setAttribute('aria-expanded', String(open));
    expand.textContent = open ? T.collapse : T.expand;
  });

  const read = h('button', { type: 'button', class: 'link-btn read' }, T.read);
  read.addEventListener('click', () =>
    openSection(c.docId, { paragraph: c.paragraph }, { start: c.context.start, end: c.context.end, highlights }),
  );

  const actions = h('div', { class: 'card-actions' }, expand, read);
  if (navigator.clipboard && window.isSecureContext) {
    const copy = h('button', { type: 'button', class: 'link-btn copy' }, T.copy);
    copy.addEventListener('click', () => {
      navigator.clipboard.writeText(`${c.quote}\n——${crumbs.join(PATH_SEPARATOR)}`).then(
        () => announce(T.copied),
        () => undefined,
      );
    });
    actions.append(copy);
  }

  return h(
    'article',
    { class: 'card', tabindex: 0, 'aria-label': T.cardLabel(...crumbs) },
    h('nav', { class: 'crumbs', 'aria-label': T.source }, h('ol', {}, ...crumbs.map((t) => h('li', {}, t)))),
    h('blockquote', { class: 'quote', cite: `#paragraph-${c.paragraph}` }, quote),
    actions,
    context,
  );
}

/** @param {Answer} a */
function feedbackBox(a) {
  const box = h('div', { class: 'feedback' }, h('span', { class: 'muted small' }, T.feedbackAsk));
  /** @param {'up' | 'down'} vote @param {string} label */
  const button = (vote, label) => {
    const b = h('button', { type: 'button', class: 'link-btn', 'data-vote': vote }, label);
    b.addEventListener('click', () => {
      const top = a.citations[0];
      request('/api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ question: a.question, vote, ...(top ? { section: top.section, quote: top.quote } : {}) }),
      }).catch(() => undefined);
      box.replaceChildren(h('span', { class: 'muted small' }, T.feedbackThanks));
      announce(T.feedbackThanks);
    });
    return b;
  };
  box.append(button('up', T.feedbackUp), button('down', T.feedbackDown));
  return box;
}

// ——————————————————————————————— reading the report ———————————————————————————————

/**
 * Opens a section of the report in the main column: by its path, or the section holding a paragraph
 * (then scrolled to it, with the quoted span marked when coming from a card).
 *
 * @param {string} docId
 * @param {{ path: string } | { paragraph: number }} by
 * @param {Span} [span]
 */
async function openSection(docId, by, span) {
  const serial = ++state.serial;
  state.inflight?.abort();
  const params = new URLSearchParams('path' in by ? { path: by.path } : { paragraph: String(by.paragraph) });
  result.setAttribute('aria-busy', 'true');
  result.replaceChildren(h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), T.sectionLoading));
  closeOutlineIfOverlay();
  try {
    const res = await request(`/api/section/${encodeURIComponent(docId)}?${params}`);
    if (serial !== state.serial) return;
    if (!res.ok || !res.body || !Array.isArray(res.body.paragraphs)) {
      renderError(/** @type {ErrorBody | undefined} */ (res.body)?.error?.message ?? T.sectionError);
      return;
    }
    renderSection(/** @type {SectionView} */ (res.body), span);
    markCurrent('path' in by ? `path:${by.path}` : undefined, 'paragraph' in by ? by.paragraph : undefined);
  } catch {
    if (serial === state.serial) renderError(T.network);
  } finally {
    if (serial === state.serial) result.removeAttribute('aria-busy');
  }
}

/**
 * @param {SectionView} view
 * @param {Span} [span]
 */
function renderSection(view, span) {
  const heading = view.path[view.path.length - 1] ?? view.doc ?? T.wholeReport;
  const head = h(
    'div',
    { class: 'reader-head' },
    h('nav', { class: 'crumbs', 'aria-label': T.source }, h('ol', {}, ...[view.doc, ...view.path].map((t) => h('li', {}, t)))),
  );
  if (state.lastAnswer) {
    const back = h('button', { type: 'button', class: 'link-btn back' }, `← ${T.back}`);
    const answer = state.lastAnswer;
    back.addEventListener('click', () => {
      renderAnswer(answer);
      const card = result.querySelector('.card');
      if (card instanceof HTMLElement) card.focus();
      else input.focus();
    });
    head.append(back);
  }
  const titleEl = h('h2', { class: 'reader-title', id: 'reader-title', tabindex: -1 }, heading);
  const body = h('div', { class: 'reader-body' });
  /** @type {HTMLElement | undefined} */
  let focusEl;
  for (const p of view.paragraphs) {
    const id = `paragraph-${p.paragraph}`;
    if (p.heading) {
      // The section's own heading is already the reader's title.
      if (p.text.trim() === heading) continue;
      body.append(h('h3', { class: 'reader-subhead', id }, p.text));
      continue;
    }
    const el = h('p', { class: 'para', id, tabindex: -1 });
    if (p.paragraph === view.focus) {
      el.classList.add('focus');
      focusEl = el;
    }
    if (span && p.paragraph === view.focus) {
      appendSpan(el, p.text, span);
    } else if (p.topic && p.text.startsWith(p.topic)) {
      el.append(h('strong', { class: 'topic' }, p.topic), p.text.slice(p.topic.length));
    } else {
      el.append(p.text);
    }
    body.append(el);
  }
  result.replaceChildren(h('article', { class: 'reader', 'aria-labelledby': 'reader-title' }, head, titleEl, body));
  announce(T.statusRead(heading));
  const target = focusEl ?? titleEl;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: focusEl ? 'center' : 'start' });
}

// ——————————————————————————————— outline ———————————————————————————————

/** @param {OutlineNode[]} nodes */
function renderOutline(nodes) {
  /**
   * @param {OutlineNode} n
   * @param {string[]} ancestors titles above this node, below the document
   */
  const item = (n, ancestors) => {
    const path = n.level === 0 ? [] : [...ancestors, n.title];
    const byParagraph = n.level === 3 && n.paragraph !== undefined;
    const key = byParagraph ? `paragraph:${n.paragraph}` : `path:${path.join(PATH_SEPARATOR)}`;
    const button = h('button', { type: 'button', class: `node node-l${n.level}`, 'data-key': key }, n.title);
    button.addEventListener('click', () =>
      openSection(n.docId, byParagraph ? { paragraph: /** @type {number} */ (n.paragraph) } : { path: path.join(PATH_SEPARATOR) }),
    );
    const li = h('li', { class: `l${n.level}` }, button);
    // Children in document order (the outline lists subsections before the topics of a part).
    const children = [...n.children].sort((a, b) => (a.paragraph ?? -1) - (b.paragraph ?? -1));
    if (children.length) li.append(h('ul', {}, ...children.map((c) => item(c, path))));
    return li;
  };
  outlineTree.replaceChildren(h('ul', { class: 'tree' }, ...nodes.map((n) => item(n, []))));
}

/**
 * @param {string | undefined} pathKey
 * @param {number | undefined} paragraph
 */
function markCurrent(pathKey, paragraph) {
  const want = pathKey ?? `paragraph:${paragraph}`;
  for (const b of outlineTree.querySelectorAll('button.node')) {
    if (b.getAttribute('data-key') === want) b.setAttribute('aria-current', 'location');
    else b.removeAttribute('aria-current');
  }
}

const wide = window.matchMedia('(min-width: 960px)');

/** @param {boolean} open */
function setOutline(open) {
  document.body.classList.toggle('outline-open', open);
  outlineToggle.setAttribute('aria-expanded', String(open));
  const overlay = open && !wide.matches;
  scrim.hidden = !overlay;
  if (overlay) outlineTree.querySelector('button')?.focus();
}

function closeOutlineIfOverlay() {
  if (!wide.matches && document.body.classList.contains('outline-open')) setOutline(false);
}

// ——————————————————————————————— large text ———————————————————————————————

/** @param {boolean} on @param {boolean} [remember] */
function setLargeText(on, remember = true) {
  if (on) document.documentElement.dataset.text = 'large';
  else delete document.documentElement.dataset.text;
  largeText.setAttribute('aria-pressed', String(on));
  if (!remember) return;
  try {
    localStorage.setItem(LARGE_TEXT_KEY, on ? '1' : '0');
  } catch {
    // Storage disabled: the setting lasts for this page only.
  }
  announce(on ? T.largeTextOn : T.largeTextOff);
}

// ——————————————————————————————— reports ———————————————————————————————

/** The report selector: shown when several reports are loaded; the choice is remembered. */
function renderReports() {
  const docs = state.meta?.documents ?? [];
  if (docs.length < 2) {
    reportRow.hidden = true;
    state.report = '';
    return;
  }
  let saved = '';
  try {
    saved = localStorage.getItem(REPORT_KEY) ?? '';
  } catch {
    // Storage disabled: start with all reports.
  }
  const options = [h('option', { value: '' }, T.allReports), ...docs.map((d) => h('option', { value: d.id }, d.title))];
  reportSelect.replaceChildren(...options);
  state.report = docs.some((d) => d.id === saved) ? saved : '';
  reportSelect.value = state.report;
  reportRow.hidden = false;
}

/** @param {string} id @param {boolean} [remember] */
function chooseReport(id, remember = true) {
  state.report = id;
  if (remember) {
    try {
      localStorage.setItem(REPORT_KEY, id);
    } catch {
      // Storage disabled: the choice lasts for this page only.
    }
  }
  const examples = (id && state.meta?.examplesByReport?.[id]) || state.meta?.examples || [];
  state.examples = examples;
  renderChips(examples);
  if (examples[0]) input.placeholder = T.placeholder(examples[0]);
  renderOutline(id ? state.outline.filter((n) => n.docId === id) : state.outline);
  const doc = state.meta?.documents?.find((d) => d.id === id);
  if (remember) announce(T.reportChosen(doc?.title ?? T.allReports));
}

// ——————————————————————————————— wiring ———————————————————————————————

/** @param {readonly string[]} examples */
function renderChips(examples) {
  chips.replaceChildren(
    ...examples.map((q) => {
      const chip = h('button', { type: 'button', class: 'chip' }, q);
      chip.addEventListener('click', () => {
        input.value = q;
        void ask(q);
      });
      return chip;
    }),
  );
}

function clearAll() {
  state.inflight?.abort();
  state.serial++;
  state.lastAnswer = undefined;
  input.value = '';
  hideEmptyHint();
  setAsked(false);
  result.replaceChildren();
  result.removeAttribute('aria-busy');
  markCurrent('', undefined);
  const url = new URL(location.href);
  url.searchParams.delete('q');
  history.replaceState(null, '', url);
  announce(T.cleared);
  input.focus();
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void ask(input.value);
});

input.addEventListener('input', () => {
  // Typing answers the empty-submit hint; an emptied box (deleted, or its ✕) brings the examples back.
  hideEmptyHint();
  if (!input.value.trim()) setAsked(false);
});

input.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' && !e.altKey) {
    const first = result.querySelector('.card') ?? chips.querySelector('button');
    if (first instanceof HTMLElement) {
      e.preventDefault();
      first.focus();
    }
  }
});

chips.addEventListener('keydown', (e) => {
  const target = /** @type {HTMLElement} */ (e.target);
  rove(e, [...chips.querySelectorAll('button')], target, { horizontal: true });
});

result.addEventListener('keydown', (e) => {
  const target = /** @type {HTMLElement} */ (e.target);
  const card = target.closest('.card');
  if (!(card instanceof HTMLElement)) return;
  if (e.key === 'Enter' && target === card) {
    e.preventDefault();
    card.querySelector('button.expand')?.dispatchEvent(new MouseEvent('click'));
    return;
  }
  if (['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) {
    rove(e, /** @type {HTMLElement[]} */ ([...result.querySelectorAll('.card')]), card);
  }
});

outlineTree.addEventListener('keydown', (e) => {
  const target = /** @type {HTMLElement} */ (e.target);
  rove(e, [...outlineTree.querySelectorAll('button')], target);
});

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '/' && !isEditable(e.target)) {
    e.preventDefault();
    input.focus();
    input.select();
  } else if (e.key === 'Escape') {
    if (!wide.matches && document.body.classList.contains('outline-open')) {
      setOutline(false);
      outlineToggle.focus();
      return;
    }
    e.preventDefault();
    clearAll();
  }
});

outlineToggle.addEventListener('click', () => setOutline(!document.body.classList.contains('outline-open')));
outlineClose.addEventListener('click', () => {
  setOutline(false);
  outlineToggle.focus();
});
scrim.addEventListener('click', () => setOutline(false));
wide.addEventListener('change', () => setOutline(wide.matches));
largeText.addEventListener('click', () => setLargeText(largeText.getAttribute('aria-pressed') !== 'true'));
reportSelect.addEventListener('change', () => chooseReport(reportSelect.value));

async function start() {
  setLargeText(document.documentElement.dataset.text === 'large', false);
  setOutline(wide.matches);
  input.focus();

  const [meta, outline] = await Promise.all([
    request('/api/meta').catch(() => undefined),
    request('/api/outline').catch(() => undefined),
  ]);
  if (meta?.ok && meta.body) {
    state.meta = /** @type {Meta} */ (meta.body);
    if (state.meta.title) {
      title.textContent = state.meta.title;
      document.title = `${state.meta.title} · ${T.appTitle}`;
    }
    renderReports();
  }
  if (outline?.ok && Array.isArray(outline.body)) state.outline = /** @type {OutlineNode[]} */ (outline.body);
  else outlineTree.replaceChildren(h('p', { class: 'muted' }, T.outlineError));
  if (state.meta) chooseReport(state.report, false);
  else if (state.outline.length) renderOutline(state.outline);

  const q = new URL(location.href).searchParams.get('q');
  if (q) {
    input.value = q;
    void ask(q);
  }
  document.body.dataset.ready = 'true';
}

void start();
