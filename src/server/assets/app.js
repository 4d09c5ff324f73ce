// talksearch's search page: plain JavaScript over the JSON API, no build step.
//
// The URL is the state: `/?q=…&company=…&event=…&year=…&lang=…&offset=…` for a search,
// `/?view=speakers&company=…&name=…` for speakers, `/?talk=<id>` for one talk,
// `/?view=speaker&id=…` and `/?view=company&id=…` for a speaker's and a company's page. Every view
// is rendered from it, so a link can be shared and the back button works.
//
// Escaping: every string from the API is put in the page as text (textContent). The only markup
// taken from the API is a highlight, which the server escapes and wraps in <mark>; even that is
// rebuilt here from text and <mark> alone.
'use strict';
(() => {
  const FILTERS = ['company', 'event', 'year', 'lang'];
  const PAGE_SIZE = 10;
  const DEBOUNCE_MS = 180;
  const FACET_SHOWN = 10;

  // ---------------------------------------------------------------------------------------------
  // Interface text
  // ---------------------------------------------------------------------------------------------

  const TEXT = {
    zh: {
      switchTo: 'English', switchLang: 'en',
      placeholder: '搜索演讲：服务网格、Istio、Service Mesh 性能优化…',
      searchLabel: '搜索演讲',
      navTalks: '演讲', navSpeakers: '讲师',
      count: (n, ms) => `${n} 个演讲 · ${ms} 毫秒`,
      range: (a, b) => `第 ${a}–${b} 个`,
      relaxed: '没有演讲包含全部词语，下面是包含其中大部分的结果。',
      fuzzy: '没有完全一致的拼写，下面是拼写相近的结果。',
      facet: { company: '公司', event: '活动', year: '年份', lang: '语言' },
      langName: { zh: '中文', en: '英文', fr: '法文', es: '西班牙文', de: '德文', ja: '日文', ko: '韩文', pt: '葡萄牙文', ru: '俄文', it: '意大利文' },
      more: (n) => `更多（${n}）`, less: '收起',
      filters: '筛选', clearAll: '清除全部筛选',
      remove: (what) => `移除筛选：${what}`,
      empty: (q) => (q ? `没有找到与“${q}”相关的演讲。` : '没有符合这些筛选条件的演讲。'),
      tryDrop: '试试去掉一个筛选条件：',
      tryWords: '或者只搜其中一个词：',
      tryOther: '也可以检查拼写，或换一种说法：中文名与英文名（服务网格 / Service Mesh）都能搜。',
      serverError: (msg) => `服务器出错：${msg}`,
      network: '连不上服务器，请检查网络后重试。',
      retry: '重试',
      notFound: '没有这个演讲。',
      prev: '← 上一页', next: '下一页 →',
      loading: '搜索中…',
      homeIntro: '在中英文技术大会的演讲里搜索：标题、讲师、公司、简介、大纲和听众收获。',
      homeTry: '试试：',
      homeSpeakers: '或者按公司查看讲师：',
      by: '讲师',
      fromBio: '讲师介绍',
      fromTakeaways: '听众收获',
      speakersTitle: '按公司查看讲师',
      companyLabel: '公司', nameLabel: '姓名',
      companyPlaceholder: '腾讯、Tencent、Intel…', namePlaceholder: '讲师姓名',
      speakersCount: (n) => `${n} 位讲师`,
      speakersShown: (shown, n) => `${n} 位讲师，显示前 ${shown} 位`,
      noSpeakers: '没有找到讲师。公司名可以用中文、英文或别名，比如 腾讯、Tencent。',
      formerly: '曾就职于',
      talksOf: (n) => `${n} 场演讲`,
      back: '← 返回',
      abstract: '简介', outline: '大纲', takeaways: '听众收获', speakers: '讲师',
      time: '时间', location: '地点', language: '语言',
      source: '来源', talkLink: '演讲页面', eventLink: '活动页面', alsoListed: '也列在',
      speakerTalks: '的全部演讲',
      keysHint: '快捷键：/ 聚焦搜索框，↑↓ 在结果间移动，Enter 打开',
      similar: '相似演讲', subscribe: '订阅：', atomFeed: 'Atom 订阅', calendar: '日历 (.ics)', addToCalendar: '加入日历 (.ics)',
      speakerPage: (name) => `${name} 的讲师页面`, companyPage: (name) => `${name} 的公司页面`,
      otherNames: '又名', companies: '公司', current: '现任', former: '曾任', within: (p) => `属于 ${p}`,
      talks: '演讲', coSpeakers: '合作讲师', events: '活动', words: '常讲的话题', namesakes: '同名讲师',
      namesakesNote: '页面没有说明他们是同一个人。',
      aliases: '别名', parent: '所属公司', subsidiaries: '旗下公司', speakersNow: '讲师', formerSpeakers: '曾在此公司的讲师',
      perYear: '每年演讲数', topics: '话题', topicsByYear: '历年话题', recent: '最新演讲',
      searchCompany: (n) => `搜索这 ${n} 个演讲`, noSuchSpeaker: '没有这位讲师。', noSuchCompany: '没有这家公司。',
      chartLabel: (name) => `${name} 每年的演讲数`,
    },
    en: {
      switchTo: '中文', switchLang: 'zh',
      placeholder: 'Search talks: 服务网格, Istio, Service Mesh performance…',
      searchLabel: 'Search talks',
      navTalks: 'Talks', navSpeakers: 'Speakers',
      count: (n, ms) => `${n} ${n === 1 ? 'talk' : 'talks'} · ${ms} ms`,
      range: (a, b) => `${a}–${b}`,
      relaxed: 'No talk contains every word; these contain most of them.',
      fuzzy: 'Nothing matches the spelling exactly; these are close spellings.',
      facet: { company: 'Company', event: 'Event', year: 'Year', lang: 'Language' },
      langName: { zh: 'Chinese', en: 'English', fr: 'French', es: 'Spanish', de: 'German', ja: 'Japanese', ko: 'Korean', pt: 'Portuguese', ru: 'Russian', it: 'Italian' },
      more: (n) => `More (${n})`, less: 'Less',
      filters: 'Filters', clearAll: 'Clear all filters',
      remove: (what) => `Remove filter: ${what}`,
      empty: (q) => (q ? `No talks found for “${q}”.` : 'No talks match these filters.'),
      tryDrop: 'Try without a filter:',
      tryWords: 'Or search for one of the words:',
      tryOther: 'Check the spelling, or try another name: both Chinese and English work (服务网格 / Service Mesh).',
      serverError: (msg) => `The server could not answer: ${msg}`,
      network: 'Cannot reach the server. Check the connection and try again.',
      retry: 'Retry',
      notFound: 'There is no such talk.',
      prev: '← Previous', next: 'Next →',
      loading: 'Searching…',
      homeIntro: 'Search talks from Chinese and English tech conferences: titles, speakers, companies, abstracts, outlines and takeaways.',
      homeTry: 'Try:',
      homeSpeakers: 'Or see the speakers of a company:',
      by: 'Speakers',
      fromBio: 'Speaker bio',
      fromTakeaways: 'Takeaways',
      speakersTitle: 'Speakers by company',
      companyLabel: 'Company', nameLabel: 'Name',
      companyPlaceholder: 'Tencent, 腾讯, Intel…', namePlaceholder: 'Speaker name',
      speakersCount: (n) => `${n} ${n === 1 ? 'speaker' : 'speakers'}`,
      speakersShown: (shown, n) => `${n} speakers, showing the first ${shown}`,
      noSpeakers: 'No speakers found. Companies can be named in Chinese, English or by an alias, e.g. Tencent or 腾讯.',
      formerly: 'Formerly at',
      talksOf: (n) => `${n} ${n === 1 ? 'talk' : 'talks'}`,
      back: '← Back',
      abstract: 'Abstract', outline: 'Outline', takeaways: 'Takeaways', speakers: 'Speakers',
      time: 'Time', location: 'Location', language: 'Language',
      source: 'Source', talkLink: 'Talk page', eventLink: 'Event page', alsoListed: 'Also listed at',
      speakerTalks: ': all talks',
      keysHint: 'Keys: / focuses the search box, ↑↓ move through results, Enter opens',
      similar: 'Talks like this', subscribe: 'Take along:', atomFeed: 'Atom feed', calendar: 'Calendar (.ics)', addToCalendar: 'Add to calendar (.ics)',
      speakerPage: (name) => `${name}: speaker page`, companyPage: (name) => `${name}: company page`,
      otherNames: 'Also', companies: 'Companies', current: 'current', former: 'former', within: (p) => `part of ${p}`,
      talks: 'Talks', coSpeakers: 'Spoke with', events: 'Events', words: 'Talks about', namesakes: 'Others of the same name',
      namesakesNote: 'The pages do not say they are the same person.',
      aliases: 'Also known as', parent: 'Part of', subsidiaries: 'Subsidiaries', speakersNow: 'Speakers', formerSpeakers: 'Speakers who were here before',
      perYear: 'Talks per year', topics: 'Topics', topicsByYear: 'Topics over the years', recent: 'Newest talks',
      searchCompany: (n) => `Search these ${n} ${n === 1 ? 'talk' : 'talks'}`, noSuchSpeaker: 'There is no such speaker.', noSuchCompany: 'There is no such company.',
      chartLabel: (name) => `Talks per year of ${name}`,
    },
  };
  const EXAMPLES = ['服务网格', 'Istio', 'Service Mesh 性能优化', 'eBPF', 'APISIX', 'django'];
  const EXAMPLE_COMPANIES = ['腾讯', 'Intel', 'Tetrate', '字节跳动'];

  function pickLanguage() {
    let saved = null;
    try { saved = localStorage.getItem('talksearch.lang'); } catch (_) { /* storage may be off */ }
    if (saved && TEXT[saved]) return saved;
    const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
    for (const l of wanted) {
      const code = String(l).toLowerCase().slice(0, 2);
      if (TEXT[code]) return code;
    }
    return 'en';
  }
  let ui = pickLanguage();
  const t = (key, ...args) => {
    const v = TEXT[ui][key];
    return typeof v === 'function' ? v(...args) : v;
  };

  // ---------------------------------------------------------------------------------------------
  // DOM helpers: text only, never HTML from data
  // ---------------------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  /** `h('a.cls', {href}, 'text', child…)`: strings become text nodes, null/false are skipped. */
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split('.');
    const e = document.createElement(tag || 'div');
    if (classes.length) e.className = classes.join(' ');
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    append(e, children);
    return e;
  }
  function append(parent, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false || c === '') continue;
      parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return parent;
  }

  /** Replaces the children of `parent`, skipping null/false like `h`. */
  function fill(parent, ...children) {
    parent.replaceChildren();
    return append(parent, children);
  }

  /** A highlight from the server (escaped text with <mark>), rebuilt from text and <mark> only. */
  function marked(spec, markup) {
    const out = h(spec);
    const doc = new DOMParser().parseFromString(`<body>${markup}`, 'text/html');
    for (const node of doc.body.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === 'MARK') out.append(h('mark', null, node.textContent));
      else out.append(document.createTextNode(node.textContent));
    }
    return out;
  }

  /** Only http(s) links from data become links. */
  function safeUrl(u) {
    if (typeof u !== 'string') return null;
    try {
      const url = new URL(u, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  const langName = (code) => t('langName')[code] || code;
  const formatMs = (ms) => (ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));

  // ---------------------------------------------------------------------------------------------
  // State <-> URL
  // ---------------------------------------------------------------------------------------------

  function readUrl(href) {
    const p = new URL(href, location.href).searchParams;
    const get = (k) => (p.get(k) || '').trim();
    if (get('talk')) return { view: 'talk', talk: get('talk') };
    if (get('view') === 'speakers') return { view: 'speakers', company: get('company'), name: get('name') };
    if ((get('view') === 'speaker' || get('view') === 'company') && get('id')) return { view: get('view'), id: get('id') };
    const s = { view: 'search', q: p.get('q') || '', offset: Math.max(0, parseInt(get('offset'), 10) || 0) };
    for (const f of FILTERS) s[f] = get(f);
    return s;
  }

  function urlOf(s) {
    const p = new URLSearchParams();
    if (s.view === 'talk') p.set('talk', s.talk);
    else if (s.view === 'speaker' || s.view === 'company') {
      p.set('view', s.view);
      p.set('id', s.id);
    } else if (s.view === 'speakers') {
      p.set('view', 'speakers');
      if (s.company) p.set('company', s.company);
      if (s.name) p.set('name', s.name);
    } else {
      if (s.q && s.q.trim()) p.set('q', s.q);
      for (const f of FILTERS) if (s[f]) p.set(f, s[f]);
      if (s.offset) p.set('offset', String(s.offset));
    }
    const qs = p.toString();
    return qs ? `/?${qs}` : '/';
  }

  let state = readUrl(location.href);

  /**
   * Moves to `next`: a new history entry, or (`replace`) an update of the current one. Typing
   * makes one entry per search, not one per keystroke: `typing` replaces an entry typing made.
   */
  function go(next, { replace = false, typing = false } = {}) {
    state = next;
    const url = urlOf(next);
    const current = history.state || {};
    const depth = current.depth || 0;
    if (replace || (typing && current.typing)) history.replaceState({ typing, depth }, '', url);
    else if (url !== location.pathname + location.search) history.pushState({ typing, depth: depth + 1 }, '', url);
    else history.replaceState({ typing, depth }, '', url);
    render();
  }

  const hasFilter = (s) => FILTERS.some((f) => s[f]);

  // ---------------------------------------------------------------------------------------------
  // API
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, signal) {
    let res;
    try {
      res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(t('network'), 0);
    }
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON: a proxy's page, a timeout */ }
    if (!res.ok) throw new ApiError(body && typeof body.error === 'string' ? body.error : `HTTP ${res.status}`, res.status);
    if (body === null) throw new ApiError(`HTTP ${res.status}`, res.status);
    return body;
  }

  let inflight = null;
  /** Fetches `path` for the view now shown; an older request still running is cancelled. */
  async function load(path) {
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    try {
      return await api(path, ctl.signal);
    } finally {
      if (inflight === ctl) inflight = null;
    }
  }

  function errorBox(err, retry) {
    const msg = err.status === 0 ? t('network') : t('serverError', err.message);
    return h('div.notice.error', { role: 'alert' }, h('p', null, msg),
      retry && h('button.link', { type: 'button', on: { click: retry } }, t('retry')));
  }

  // ---------------------------------------------------------------------------------------------
  // Search view
  // ---------------------------------------------------------------------------------------------

  let lastFacets = { company: [], event: [], year: [], lang: [] };
  let facetsOpen = false;
  const expanded = new Set();

  /** How a filter value reads: the facet's display value, or the value as given. */
  function filterLabel(name, value) {
    const hit = (lastFacets[name] || []).find((v) => sameValue(v, value));
    if (name === 'lang') return langName(value);
    return hit ? hit.value : value;
  }
  const sameValue = (fv, value) => {
    const v = String(value).toLowerCase();
    return String(fv.id).toLowerCase() === v || String(fv.value).toLowerCase() === v;
  };

  function setFilter(name, value) {
    go({ ...state, [name]: value, offset: 0 });
  }

  function renderChips() {
    const chips = FILTERS.filter((f) => state[f]).map((f) => {
      const label = filterLabel(f, state[f]);
      return h('button.chip', { type: 'button', dataset: { facet: f }, 'aria-label': t('remove', label), title: t('remove', label),
        on: { click: () => setFilter(f, '') } },
      h('span.chip-name', null, t('facet')[f]), h('span.chip-value', null, label), h('span.chip-x', { 'aria-hidden': 'true' }, '×'));
    });
    if (chips.length > 1) {
      chips.push(h('button.link.clear-all', { type: 'button', on: { click: () => go({ ...state, company: '', event: '', year: '', lang: '', offset: 0 }) } }, t('clearAll')));
    }
    fill($('chips'), ...chips);
    const active = FILTERS.filter((f) => state[f]).length;
    $('facets-toggle').textContent = active ? `${t('filters')} (${active})` : t('filters');
  }

  function renderFacets(facets) {
    const groups = FILTERS.map((name) => {
      const values = facets[name] || [];
      const active = state[name];
      if (!values.length && !active) return null;
      const open = expanded.has(name);
      const shown = open ? values : values.slice(0, FACET_SHOWN);
      // Keep the active value visible even when it is past the cut.
      const activeValue = active && values.find((v) => sameValue(v, active));
      if (activeValue && !shown.includes(activeValue)) shown.push(activeValue);
      const items = shown.map((v) => {
        const on = active && sameValue(v, active);
        const label = name === 'lang' ? langName(v.value) : v.value;
        return h('li', null, h('button.facet-value', {
          type: 'button', dataset: { id: v.id, value: v.value }, 'aria-pressed': on ? 'true' : 'false', title: label,
          on: { click: () => setFilter(name, on ? '' : v.id) },
        }, h('span.facet-label', null, label), h('span.facet-count', null, String(v.count))));
      });
      if (active && !activeValue) {
        items.unshift(h('li', null, h('button.facet-value', { type: 'button', 'aria-pressed': 'true', on: { click: () => setFilter(name, '') } },
          h('span.facet-label', null, filterLabel(name, active)))));
      }
      const more = values.length > FACET_SHOWN
        ? h('button.link.facet-more', { type: 'button', on: { click: () => { if (open) expanded.delete(name); else expanded.add(name); renderFacets(lastFacets); } } },
          open ? t('less') : t('more', values.length - FACET_SHOWN))
        : null;
      return h('section.facet', { dataset: { facet: name } }, h('h2', null, t('facet')[name]), h('ul', null, items), more);
    });
    fill($('facets'), ...groups.filter(Boolean));
  }

  function hitCard(hit) {
    const title = h('h2.hit-title', null, h('a', { href: urlOf({ view: 'talk', talk: hit.id }), 'data-nav': true, 'data-item': true },
      hit.highlights && hit.highlights.title ? marked('span', hit.highlights.title) : hit.title));
    const meta = h('div.hit-meta', null,
      h('span.hit-event', null, hit.event.title),
      hit.event.date && h('time', { datetime: hit.event.date }, hit.event.date),
      hit.time && h('span', null, hit.time),
      hit.language && h('span.badge', null, langName(hit.language)));
    const speakers = hit.speakers.length ? h('div.hit-speakers', null, hit.speakers.map((s) => h('span.speaker', null,
      speakerLink(hit.id, s.name, 'span.speaker-name'),
      s.company && (s.company_id
        ? h('a.company', { href: urlOf({ view: 'company', id: s.company_id }), 'data-nav': true, title: t('companyPage', s.company), dataset: { id: s.company_id } }, s.company)
        : h('span.company', null, s.company))))) : null;
    const hl = hit.highlights || {};
    let snippet;
    if (hl.abstract) snippet = marked('p.snippet', hl.abstract);
    else if (hl.takeaways) snippet = h('p.snippet', null, h('span.snippet-label', null, t('fromTakeaways')), marked('span', hl.takeaways));
    else if (hl.bio) snippet = h('p.snippet', null, h('span.snippet-label', null, t('fromBio')), marked('span', hl.bio));
    else if (hit.abstract) snippet = h('p.snippet', null, hit.abstract);
    return h('article.hit', { dataset: { id: hit.id } }, title, meta, speakers, snippet);
  }

  function emptyBox(body) {
    const q = body.query.trim();
    const parts = [h('p.empty-title', null, t('empty', q))];
    const active = FILTERS.filter((f) => state[f]);
    if (active.length) {
      parts.push(h('p', null, t('tryDrop'), ' ', active.map((f) => h('button.chip.suggest', { type: 'button', dataset: { facet: f }, on: { click: () => setFilter(f, '') } },
        h('span.chip-name', null, t('facet')[f]), h('span.chip-value', null, filterLabel(f, state[f])), h('span.chip-x', { 'aria-hidden': 'true' }, '×')))));
    }
    const words = q.split(/\s+/).filter((w) => w && !w.startsWith('-'));
    if (words.length > 1) {
      parts.push(h('p', null, t('tryWords'), ' ', words.map((w) => h('a.suggest-word', { href: urlOf({ ...state, q: w, offset: 0 }), 'data-nav': true }, w))));
    }
    if (q) parts.push(h('p.hint', null, t('tryOther')));
    return h('div.notice.empty', null, parts);
  }

  function pager(body) {
    if (body.total <= body.limit) return null;
    const prev = body.offset > 0 ? h('a.button', { href: urlOf({ ...state, offset: Math.max(0, body.offset - body.limit) }), 'data-nav': true, rel: 'prev' }, t('prev')) : h('span');
    const next = body.offset + body.limit < body.total ? h('a.button', { href: urlOf({ ...state, offset: body.offset + body.limit }), 'data-nav': true, rel: 'next' }, t('next')) : h('span');
    return h('nav.pager', null, prev, h('span.pager-at', null, t('range', body.offset + 1, Math.min(body.total, body.offset + body.hits.length))), next);
  }

  function renderHome() {
    const examples = EXAMPLES.map((q) => h('a.pill', { href: urlOf({ view: 'search', q, offset: 0 }), 'data-nav': true }, q));
    const companies = EXAMPLE_COMPANIES.map((c) => h('a.pill', { href: urlOf({ view: 'speakers', company: c }), 'data-nav': true }, c));
    fill($('results'), h('div.home', null,
      h('p.home-intro', null, t('homeIntro')),
      h('p', null, h('span.home-label', null, t('homeTry')), examples),
      h('p', null, h('span.home-label', null, t('homeSpeakers')), companies)));
    fill($('facets'));
    $('status').textContent = '';
    document.body.classList.add('is-home');
  }

  let searchSeq = 0;
  let loadingTimer = null;
  async function renderSearch() {
    renderChips();
    $('facets').classList.toggle('open', facetsOpen);
    if (!state.q.trim() && !hasFilter(state)) {
      searchSeq++;
      if (inflight) inflight.abort();
      renderHome();
      return;
    }
    document.body.classList.remove('is-home');
    const seq = ++searchSeq;
    const p = new URLSearchParams({ q: state.q.trim(), limit: String(PAGE_SIZE) });
    if (state.offset) p.set('offset', String(state.offset));
    for (const f of FILTERS) if (state[f]) p.set(f, state[f]);
    // Old results stay in place (dimmed) until new ones arrive: no jump while typing.
    clearTimeout(loadingTimer);
    loadingTimer = setTimeout(() => $('results').classList.add('loading'), 120);
    let body;
    try {
      body = await load(`/api/search?${p}`);
    } catch (e) {
      if (e.name === 'AbortError' || seq !== searchSeq) return;
      clearTimeout(loadingTimer);
      $('results').classList.remove('loading');
      $('status').textContent = '';
      fill($('results'), errorBox(e, () => render()));
      return;
    } finally {
      if (seq === searchSeq) clearTimeout(loadingTimer);
    }
    if (seq !== searchSeq) return;
    $('results').classList.remove('loading');
    lastFacets = body.facets || lastFacets;
    renderChips();
    renderFacets(lastFacets);
    fill($('status'), h('span.count', null, t('count', body.total, formatMs(body.took_ms))),
      body.relaxed && body.hits.length ? h('span.relaxed', null, body.match === 'fuzzy' ? t('fuzzy') : t('relaxed')) : null,
      body.total ? feedLinks(state) : null);
    if (!body.hits.length) {
      fill($('results'), emptyBox(body));
      return;
    }
    fill($('results'), h('div.hits', null, body.hits.map(hitCard)), pager(body));
  }

  // ---------------------------------------------------------------------------------------------
  // Speakers view
  // ---------------------------------------------------------------------------------------------

  let companies = null;
  async function loadCompanies() {
    if (companies) return companies;
    try {
      companies = (await api('/api/companies')).companies || [];
    } catch (_) {
      companies = [];
    }
    const names = new Set();
    for (const c of companies) [c.name, ...(c.aliases || [])].forEach((n) => n && names.add(n));
    fill($('company-names'), ...[...names].map((n) => h('option', { value: n })));
    return companies;
  }

  function renderPills() {
    const active = (state.company || '').toLowerCase();
    const list = (companies || []).slice(0, 24);
    fill($('company-pills'), ...list.map((c) => {
      const on = [c.id, c.name, ...(c.aliases || [])].some((n) => String(n).toLowerCase() === active);
      return h('a.pill', { href: urlOf({ view: 'speakers', company: on ? '' : c.name, name: state.name }), 'data-nav': true, 'aria-pressed': on ? 'true' : 'false', dataset: { id: c.id } },
        c.name, ' ', h('span.pill-count', null, String(c.speakers)));
    }));
  }

  function speakerCard(s) {
    const company = s.company ? s.company.name : s.company_text;
    const talks = s.talks.map((tk) => h('li', null, h('a', { href: urlOf({ view: 'talk', talk: tk.id }), 'data-nav': true, 'data-item': true }, tk.title),
      h('span.speaker-talk-event', null, tk.event)));
    return h('article.speaker-card', { dataset: { name: s.name } },
      h('h2', null, s.id ? h('a.speaker-name', { href: urlOf({ view: 'speaker', id: s.id }), 'data-nav': true }, s.name) : h('span.speaker-name', null, s.name),
        company && (s.company ? h('a.company', { href: urlOf({ view: 'company', id: s.company.id }), 'data-nav': true }, company) : h('span.company', null, company))),
      s.former_companies && s.former_companies.length ? h('p.formerly', null, t('formerly'), ' ', s.former_companies.map((c) => c.name).join('、')) : null,
      h('p.speaker-talk-count', null, t('talksOf', s.talks.length)),
      h('ul.speaker-talks', null, talks));
  }

  let speakersSeq = 0;
  async function renderSpeakers() {
    const seq = ++speakersSeq;
    const company = $('speakers-company'), name = $('speakers-name');
    if (document.activeElement !== company) company.value = state.company || '';
    if (document.activeElement !== name) name.value = state.name || '';
    loadCompanies().then(() => { if (state.view === 'speakers') renderPills(); });
    const p = new URLSearchParams({ limit: '100' });
    if (state.company) p.set('company', state.company);
    if (state.name) p.set('q', state.name);
    $('speakers-list').classList.add('loading');
    let body;
    try {
      body = await load(`/api/speakers?${p}`);
    } catch (e) {
      if (e.name === 'AbortError' || seq !== speakersSeq) return;
      $('speakers-list').classList.remove('loading');
      $('speakers-status').textContent = '';
      fill($('speakers-list'), errorBox(e, () => render()));
      return;
    }
    if (seq !== speakersSeq) return;
    $('speakers-list').classList.remove('loading');
    $('speakers-status').textContent = body.total > body.speakers.length ? t('speakersShown', body.speakers.length, body.total) : t('speakersCount', body.total);
    fill($('speakers-list'), ...(body.speakers.length ? body.speakers.map(speakerCard) : [h('div.notice.empty', null, t('noSpeakers'))]));
  }

  // ---------------------------------------------------------------------------------------------
  // Talk view
  // ---------------------------------------------------------------------------------------------

  function section(title, ...content) {
    return h('section.talk-section', null, h('h2', null, title), content);
  }

  function paragraphs(text) {
    return text.split(/\n+/).map((s) => s.trim()).filter(Boolean).map((s) => h('p', null, s));
  }

  async function renderTalk() {
    const box = $('talk');
    box.classList.add('loading');
    const id = state.talk;
    // Who the speakers are (their pages) and the talks like this one, asked for at once.
    const people = api(`/api/speakers?talk=${encodeURIComponent(id)}`).then((b) => b.speakers, () => []);
    const similar = api(`/api/talks/${encodeURIComponent(id)}/similar`).then((b) => b.talks, () => []);
    let talk;
    try {
      talk = await load(`/api/talks/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e.name === 'AbortError') return;
      box.classList.remove('loading');
      fill(box, e.status === 404 ? h('div.notice.empty', null, t('notFound')) : errorBox(e, () => render()));
      return;
    }
    box.classList.remove('loading');
    const ev = talk.event || {};
    const eventUrl = safeUrl(ev.url), talkUrl = safeUrl(talk.url);
    document.title = `${talk.title} · talksearch`;
    fill(box, 
      h('p.talk-event', null, eventUrl ? h('a', { href: eventUrl, rel: 'noopener noreferrer', target: '_blank' }, ev.title) : ev.title),
      h('h1.talk-title', null, talk.title),
      h('dl.talk-facts', null,
        ev.date && [h('dt', null, t('facet').year), h('dd', null, h('time', { datetime: ev.date }, ev.date))],
        talk.time && [h('dt', null, t('time')), h('dd', null, talk.time)],
        ev.location && [h('dt', null, t('location')), h('dd', null, ev.location)],
        talk.language && [h('dt', null, t('language')), h('dd', null, langName(talk.language))]),
      talk.speakers && talk.speakers.length ? section(t('speakers'), talk.speakers.map((s) => h('div.talk-speaker', { dataset: { name: s.name } },
        h('h3', null, h('a.speaker-name', { href: urlOf({ view: 'speakers', company: '', name: s.name }), 'data-nav': true, title: s.name + t('speakerTalks') }, s.name),
          s.company && h('span.company', null, s.company)),
        s.former_companies && s.former_companies.length ? h('p.formerly', null, t('formerly'), ' ', s.former_companies.join('、')) : null,
        s.bio && h('p.bio', null, s.bio)))) : null,
      talk.abstract && section(t('abstract'), paragraphs(talk.abstract)),
      talk.outline && talk.outline.length ? section(t('outline'), h('ul', null, talk.outline.map((o) => h('li', null, o)))) : null,
      talk.takeaways && talk.takeaways.length ? section(t('takeaways'), h('ul', null, talk.takeaways.map((o) => h('li', null, o)))) : null,
      h('p.talk-links', null,
        talkUrl && h('a.button', { href: talkUrl, rel: 'noopener noreferrer', target: '_blank' }, t('talkLink')),
        talk.start && h('a.button.ics', { href: `/api/talks/${encodeURIComponent(talk.id)}.ics`, download: `${talk.id}.ics` }, t('addToCalendar')),
        eventUrl && h('a.button', { href: eventUrl, rel: 'noopener noreferrer', target: '_blank' }, t('eventLink')),
        ev.source && h('span.source', null, `${t('source')}: `, ev.source)),
      // The same talk on other pages: it is one result, and these are its other sources.
      talk.also_listed && talk.also_listed.length ? section(t('alsoListed'), h('ul.also-listed', null,
        talk.also_listed.map((l) => h('li', null,
          h('a', { href: urlOf({ view: 'talk', talk: l.id }), 'data-nav': true }, (l.event && l.event.title) || l.title),
          l.event && l.event.date ? [' ', h('time', { datetime: l.event.date }, l.event.date)] : null,
          l.event && l.event.source ? h('span.source', null, ` · ${l.event.source}`) : null)))) : null,
      h('section.talk-section.similar', { hidden: true }, h('h2', null, t('similar')), h('ul.similar-talks')));
    const who = await people;
    if (state.view !== 'talk' || state.talk !== id) return;
    linkSpeakers(box, who);
    const like = await similar;
    if (state.view !== 'talk' || state.talk !== id || !like.length) return;
    const list = box.querySelector('.similar-talks');
    fill(list, ...like.map((s) => h('li', null, h('a', { href: urlOf({ view: 'talk', talk: s.id }), 'data-nav': true, 'data-item': true }, s.title),
      h('span.similar-event', null, ` · ${s.event.title}`, s.event.date ? ` · ${s.event.date}` : ''))));
    list.closest('section').hidden = false;
  }

  /** Points the talk view's speaker names at their pages, and their companies at the companies'. */
  function linkSpeakers(box, people) {
    for (const block of box.querySelectorAll('.talk-speaker')) {
      const person = people.find((p) => p.name === block.dataset.name);
      if (!person) continue;
      const a = block.querySelector('a.speaker-name');
      a.href = urlOf({ view: 'speaker', id: person.id });
      a.title = t('speakerPage', person.name);
      const company = block.querySelector('.company');
      if (company && person.company) {
        company.replaceWith(h('a.company', { href: urlOf({ view: 'company', id: person.company.id }), 'data-nav': true, title: t('companyPage', person.company.name) }, company.textContent));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Speaker and company pages
  // ---------------------------------------------------------------------------------------------

  /**
   * A speaker's name in a hit: a link to their page. Which person it is (namesakes are apart) the
   * server says from the talk: `/api/speakers?talk=…`, asked when the link is followed.
   */
  function speakerLink(talkId, name, spec) {
    return h(spec.replace(/^span/, 'a'), { href: urlOf({ view: 'speakers', company: '', name }), dataset: { speakerOf: talkId, name }, title: t('speakerPage', name) }, name);
  }

  async function openSpeaker(a) {
    try {
      const body = await api(`/api/speakers?talk=${encodeURIComponent(a.dataset.speakerOf)}`);
      const person = body.speakers.find((p) => p.name === a.dataset.name);
      if (person) { go({ view: 'speaker', id: person.id }); return; }
    } catch (_) { /* fall back to the speakers list below */ }
    go(readUrl(a.href));
  }

  /** Links to the Atom feed and the calendar of the search `s`. */
  function feedLinks(s) {
    const p = new URLSearchParams();
    if (s.q && s.q.trim()) p.set('q', s.q.trim());
    for (const f of FILTERS) if (s[f]) p.set(f, s[f]);
    return h('span.feeds', null, t('subscribe'), ' ',
      h('a.feed-atom', { href: `/api/search.atom?${p}`, type: 'application/atom+xml' }, t('atomFeed')), ' · ',
      h('a.feed-ics', { href: `/api/search.ics?${p}`, download: 'talksearch.ics' }, t('calendar')));
  }

  const talkItem = (tk) => h('li', null, h('a', { href: urlOf({ view: 'talk', talk: tk.id }), 'data-nav': true, 'data-item': true }, tk.title),
    h('span.item-meta', null, ` · ${tk.event.title}`, tk.event.date ? ` · ${tk.event.date}` : ''));
  const personLink = (p, ownCompany) => h('li', null, h('a.person', { href: urlOf({ view: 'speaker', id: p.id }), 'data-nav': true }, p.name),
    p.company && p.company.id !== ownCompany ? h('span.company', null, p.company.name) : null,
    h('span.item-meta', null, ` · ${t('talksOf', p.talks)}`));
  const companyLink = (c) => h('a.company', { href: urlOf({ view: 'company', id: c.id }), 'data-nav': true }, c.name);
  const wordList = (words) => h('ul.words', null, words.map((w) => h('li.word', { title: t('talksOf', w.talks) }, w.word)));

  /** Talks per year as bars, drawn here as inline SVG (no script from elsewhere). */
  function yearChart(years, name) {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = String(text);
      return e;
    };
    if (!years.length) return null;
    // Every year from the first to the last, so a gap shows as a gap.
    const all = [];
    for (let y = years[0].year; y <= years[years.length - 1].year; y++) all.push({ year: y, talks: (years.find((x) => x.year === y) || { talks: 0 }).talks });
    const max = Math.max(...all.map((y) => y.talks));
    const bar = 28, gap = 10, top = 18, height = 110, bottom = 20;
    const width = all.length * (bar + gap) + gap;
    const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${top + height + bottom}`, width, height: top + height + bottom, role: 'img' });
    chart.append(svg('title', {}, t('chartLabel', name)));
    all.forEach((y, i) => {
      const x = gap + i * (bar + gap);
      const hgt = max ? Math.round((y.talks / max) * height) : 0;
      const g = svg('g', { class: 'bar', 'data-year': y.year, 'data-talks': y.talks });
      g.append(svg('rect', { x, y: top + height - hgt, width: bar, height: hgt, rx: 3 }));
      g.append(svg('text', { x: x + bar / 2, y: top + height - hgt - 4, 'text-anchor': 'middle', class: 'bar-count' }, y.talks));
      g.append(svg('text', { x: x + bar / 2, y: top + height + 14, 'text-anchor': 'middle', class: 'bar-year' }, y.year));
      chart.append(g);
    });
    return chart;
  }

  async function renderProfile() {
    const box = $('profile');
    box.classList.add('loading');
    const kind = state.view, id = state.id;
    let page;
    try {
      page = await load(`/api/${kind === 'speaker' ? 'speakers' : 'companies'}/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e.name === 'AbortError') return;
      box.classList.remove('loading');
      fill(box, e.status === 404 ? h('div.notice.empty', null, t(kind === 'speaker' ? 'noSuchSpeaker' : 'noSuchCompany')) : errorBox(e, () => render()));
      return;
    }
    box.classList.remove('loading');
    document.title = `${page.name} · talksearch`;
    if (kind === 'speaker') renderSpeaker(box, page);
    else renderCompany(box, page);
  }

  function renderSpeaker(box, p) {
    fill(box, h('div.profile-head', { dataset: { kind: 'speaker', id: p.id } },
      h('h1.profile-name', null, p.name),
      p.other_names.length ? h('p.other-names', null, `${t('otherNames')}: `, p.other_names.join(' · ')) : null),
    p.companies.length ? section(t('companies'), h('ul.company-spans', null, p.companies.map((c) => h('li', { dataset: { id: c.id, status: c.status } },
      companyLink(c),
      c.within.length ? h('span.within', null, ` (${t('within', '')}`, c.within.map((w, i) => [i ? ' · ' : '', companyLink(w)]), ')') : null,
      h('span.badge', null, t(c.status)),
      c.dates.length ? h('span.item-meta', null, ` · ${c.dates[0]}${c.dates.length > 1 ? ` – ${c.dates[c.dates.length - 1]}` : ''}`) : null)))) : null,
    section(`${t('talks')} (${p.talks.length})`, h('ul.profile-talks', null, p.talks.map(talkItem))),
    p.words.length ? section(t('words'), wordList(p.words)) : null,
    p.co_speakers.length ? section(t('coSpeakers'), h('ul.people', null, p.co_speakers.map((c) => personLink(c)))) : null,
    p.events.length ? section(t('events'), h('ul.events', null, p.events.map((e) => h('li', null, h('a', { href: urlOf({ view: 'search', q: '', offset: 0, company: '', event: e.title, year: '', lang: '' }), 'data-nav': true }, e.title),
      e.date ? h('span.item-meta', null, ` · ${e.date}`) : null)))) : null,
    p.namesakes.length ? section(t('namesakes'), h('p.hint', null, t('namesakesNote')), h('ul.people.namesakes', null, p.namesakes.map((c) => personLink(c)))) : null);
  }

  function renderCompany(box, c) {
    const filter = { view: 'search', q: '', offset: 0, company: c.id, event: '', year: '', lang: '' };
    fill(box, h('div.profile-head', { dataset: { kind: 'company', id: c.id } },
      h('h1.profile-name', null, c.name),
      c.aliases.length ? h('p.other-names', null, `${t('aliases')}: `, c.aliases.join(' · ')) : null,
      c.parent ? h('p.parent', null, `${t('parent')}: `, companyLink(c.parent)) : null,
      c.subsidiaries.length ? h('p.subsidiaries', null, `${t('subsidiaries')}: `, c.subsidiaries.map((s, i) => [i ? ' · ' : '', companyLink(s)])) : null,
      h('p.profile-actions', null, h('a.button', { href: urlOf(filter), 'data-nav': true }, t('searchCompany', c.talks)), ' ', c.talks ? feedLinks(filter) : null)),
    c.years.length ? section(t('perYear'), yearChart(c.years, c.name)) : null,
    c.speakers.length ? section(`${t('speakersNow')} (${c.speakers.length})`, h('ul.people.current', null, c.speakers.map((p) => personLink(p, c.id)))) : null,
    c.former_speakers.length ? section(t('formerSpeakers'), h('ul.people.former', null, c.former_speakers.map((p) => personLink(p, c.id)))) : null,
    c.topics.length ? section(t('topics'), wordList(c.topics)) : null,
    c.topics_by_year.length > 1 ? section(t('topicsByYear'), h('dl.topics-by-year', null, c.topics_by_year.map((y) => [h('dt', null, String(y.year)), h('dd', null, wordList(y.words))]))) : null,
    c.recent.length ? section(t('recent'), h('ul.profile-talks', null, c.recent.map(talkItem))) : null,
    c.events.length ? section(t('events'), h('ul.events', null, c.events.map((e) => h('li', null, h('a', { href: urlOf({ ...filter, event: e.title }), 'data-nav': true }, e.title),
      h('span.item-meta', null, `${e.date ? ` · ${e.date}` : ''} · ${t('talksOf', e.talks)}`))))) : null);
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering and events
  // ---------------------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = ui === 'zh' ? 'zh-CN' : 'en';
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
    $('q').placeholder = t('placeholder');
    $('q').setAttribute('aria-label', t('searchLabel'));
    $('speakers-company').placeholder = t('companyPlaceholder');
    $('speakers-name').placeholder = t('namePlaceholder');
    const sw = $('lang-switch');
    sw.textContent = t('switchTo');
    sw.lang = t('switchLang');
  }

  function render() {
    const profile = state.view === 'speaker' || state.view === 'company';
    for (const v of ['search', 'speakers', 'talk']) $(`view-${v}`).hidden = state.view !== v;
    $('view-profile').hidden = !profile;
    $('nav-talks').classList.toggle('active', state.view !== 'speakers' && !profile);
    $('nav-speakers').classList.toggle('active', state.view === 'speakers' || profile);
    const q = $('q');
    if (state.view === 'search' && document.activeElement !== q) q.value = state.q;
    if (state.view !== 'talk' && !profile) {
      const what = state.view === 'speakers' ? (state.company || t('navSpeakers')) : state.q.trim();
      document.title = what ? `${what} · talksearch` : 'talksearch';
    }
    if (state.view === 'search') renderSearch();
    else if (state.view === 'speakers') renderSpeakers();
    else if (profile) renderProfile();
    else renderTalk();
  }

  function debounce(fn, ms) {
    let timer = null;
    const d = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
    d.now = (...args) => { clearTimeout(timer); fn(...args); };
    return d;
  }

  const searchTyped = debounce(() => {
    const base = state.view === 'search' ? state : { view: 'search', q: '', offset: 0, company: '', event: '', year: '', lang: '' };
    go({ ...base, q: $('q').value, offset: 0 }, { typing: true });
  }, DEBOUNCE_MS);

  const speakersTyped = debounce(() => {
    go({ view: 'speakers', company: $('speakers-company').value.trim(), name: $('speakers-name').value.trim() }, { typing: true });
  }, DEBOUNCE_MS);

  /** The items arrow keys move through: result titles, or a speaker's talks. */
  const items = () => [...document.querySelectorAll('.view:not([hidden]) [data-item]')];

  function onKey(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target.isContentEditable;
    const q = $('q');
    if (e.key === '/' && !typing) {
      e.preventDefault();
      q.focus();
      q.select();
      return;
    }
    if (e.key === 'Escape' && target === q) {
      if (q.value) { q.value = ''; searchTyped.now(); } else q.blur();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const list = items();
    if (!list.length) return;
    const at = list.indexOf(document.activeElement);
    if (typing && target !== q && !(target.closest && target.closest('#speakers-form'))) return;
    e.preventDefault();
    if (at < 0) {
      if (e.key === 'ArrowDown') list[0].focus();
      return;
    }
    if (e.key === 'ArrowDown') list[Math.min(list.length - 1, at + 1)].focus();
    else if (at === 0) (state.view === 'speakers' ? $('speakers-company') : q).focus();
    else list[at - 1].focus();
  }

  function onClick(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const who = e.target.closest && e.target.closest('a[data-speaker-of]');
    if (who) {
      e.preventDefault();
      openSpeaker(who);
      window.scrollTo(0, 0);
      return;
    }
    const a = e.target.closest && e.target.closest('a[data-nav]');
    if (!a) return;
    e.preventDefault();
    const next = readUrl(a.href);
    go(next);
    if (next.view !== 'search' || !a.closest('.pager')) window.scrollTo(0, 0);
    else document.querySelector('.page').scrollIntoView();
  }

  function start() {
    applyLanguage();
    $('q').addEventListener('input', () => searchTyped());
    $('search-form').addEventListener('submit', (e) => { e.preventDefault(); searchTyped.now(); });
    $('speakers-company').addEventListener('input', () => speakersTyped());
    $('speakers-name').addEventListener('input', () => speakersTyped());
    $('speakers-form').addEventListener('submit', (e) => { e.preventDefault(); speakersTyped.now(); });
    $('lang-switch').addEventListener('click', () => {
      ui = t('switchLang');
      try { localStorage.setItem('talksearch.lang', ui); } catch (_) { /* storage may be off */ }
      applyLanguage();
      render();
    });
    $('facets-toggle').addEventListener('click', () => {
      facetsOpen = !facetsOpen;
      $('facets').classList.toggle('open', facetsOpen);
      $('facets-toggle').setAttribute('aria-expanded', String(facetsOpen));
    });
    $('profile-back').addEventListener('click', () => {
      if (history.state && history.state.depth > 0) history.back();
      else go({ view: 'speakers', company: '', name: '' });
    });
    $('talk-back').addEventListener('click', () => {
      // Back within the page when it was reached from here; home when it was opened from a link.
      if (history.state && history.state.depth > 0) history.back();
      else go({ view: 'search', q: '', offset: 0, company: '', event: '', year: '', lang: '' });
    });
    document.addEventListener('keydown', onKey);
    document.addEventListener('click', onClick);
    window.addEventListener('popstate', () => {
      state = readUrl(location.href);
      if (state.view === 'search') $('q').value = state.q;
      render();
    });
    history.replaceState({ typing: false, depth: (history.state && history.state.depth) || 0 }, '', urlOf(state));
    render();
  }

  start();
})();
