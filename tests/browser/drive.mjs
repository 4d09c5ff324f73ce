// Drives the system Chromium through the scenarios of the search page, as a person would.
//
//   node drive.mjs <base-url> [scenario …]      (all by default; CHROMIUM=/usr/bin/chromium)
//
// Run by tests/browser.rs against the real server on loopback: one browser, each scenario in a
// fresh context, one `RESULT <name> ok|FAILED <ms> [<json message>]` line per scenario.
// TALKSEARCH_SCREENSHOT=<path> saves the results page for 服务网格 as a PNG (for the README).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const base = process.argv[2];
const TLS_TALK = '服务网格中 TLS 的加速和优化';
const TENCENT_TALK = 'Aeraki Mesh 在冬奥会视频应用中的产品落地实践';
const SCRIPT_TITLE = '<script>alert(1)</script>';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Waits until `fn(arg)` is truthy in the page; the message says what was awaited. */
async function until(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: 20000 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what} (at ${page.url()})\n${await visible(page)}`);
  }
}

/** What the page shows, for failure messages. */
async function visible(page) {
  const text = await page.evaluate(() => document.querySelector('main')?.innerText ?? '').catch(() => '');
  return `page text:\n${text.slice(0, 1500)}`;
}

const hitTitles = (page) => page.$$eval('#results .hit .hit-title', (es) => es.map((e) => e.textContent));
const statusText = (page) => page.textContent('#status');
const query = (page) => Object.fromEntries(new URL(page.url()).searchParams);

async function waitForHits(page, what = 'results') {
  await until(page, what, () => document.querySelectorAll('#results .hit').length > 0
    && !document.querySelector('#results.loading'));
}

/** Types like a person: one key at a time, so the debounce is exercised. */
async function type(page, selector, text) {
  await page.click(selector);
  await page.keyboard.type(text, { delay: 25 });
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

const scenarios = {
  /** Type 服务网格 and see the TLS talk highlighted with its speakers; keyboard to open it. */
  async search_as_you_type(page) {
    await page.goto(`${base}/`);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q', '/ focuses the search box');
    await page.keyboard.type('服务网格', { delay: 25 });
    await until(page, `the TLS talk among the results`, (t) =>
      [...document.querySelectorAll('#results .hit-title')].some((e) => e.textContent === t), TLS_TALK);
    const hit = page.locator('#results .hit', { hasText: TLS_TALK });
    assert.equal(await hit.locator('.hit-title mark').first().textContent(), '服务网格', 'the match is highlighted');
    const who = await hit.locator('.hit-speakers').innerText();
    assert.match(who, /胡伟/);
    assert.match(who, /赵复生/);
    assert.match(who, /英特尔|Intel/i, 'speakers show their company');
    const meta = await hit.locator('.hit-meta').innerText();
    assert.match(meta, /Service Mesh Summit/);
    assert.match(meta, /2022-02-22/);
    assert.match(await statusText(page), /^\d+ 个演讲 · [\d.]+ 毫秒/, 'count and time, in Chinese for a zh browser');
    assert.equal(query(page).q, '服务网格', 'the URL carries the query');

    if (process.env.TALKSEARCH_SCREENSHOT) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: process.env.TALKSEARCH_SCREENSHOT });
    }

    // Arrows move through results, Enter opens the talk, Back returns to the results.
    const titles = await hitTitles(page);
    const at = titles.indexOf(TLS_TALK);
    for (let i = 0; i <= at; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), TLS_TALK, 'arrows reach the talk');
    await page.keyboard.press('Enter');
    await until(page, 'the talk view', (t) => document.querySelector('#view-talk:not([hidden]) .talk-title')?.textContent === t, TLS_TALK);
    const talk = await page.locator('#talk').innerText();
    for (const part of ['大纲', '听众收获', 'Crypto Acceleration', '英特尔先进技术与软件部门']) {
      assert.ok(talk.includes(part), `the talk view shows ${part}`);
    }
    assert.ok(await page.locator('#talk a[href="https://www.huodongxing.com/event/8638606076200"]').count() > 0, 'links the event page');
    await page.goBack();
    await waitForHits(page, 'the results again after Back');
    assert.equal(await page.inputValue('#q'), '服务网格');
    assert.ok((await hitTitles(page)).includes(TLS_TALK));
  },

  /** Click the company facet 腾讯: only Tencent talks, a removable chip, Back restores it. */
  async company_facet(page) {
    await page.goto(`${base}/?q=${encodeURIComponent('服务网格')}`);
    await waitForHits(page);
    const facet = page.locator('.facet[data-facet="company"] .facet-value', { hasText: /^腾讯\d+$/ });
    await facet.click();
    await until(page, 'the company chip', () => document.querySelector('.chip[data-facet="company"]'));
    await until(page, 'only the Tencent talk', (t) => {
      const titles = [...document.querySelectorAll('#results .hit-title')].map((e) => e.textContent);
      return titles.length === 1 && titles[0] === t;
    }, TENCENT_TALK);
    const who = await page.locator('#results .hit .hit-speakers').innerText();
    assert.match(who, /赵化冰/);
    assert.match(who, /覃士林/);
    assert.match(await statusText(page), /^1 个演讲/);
    assert.ok(query(page).company, 'the URL carries the company');
    assert.match(await page.locator('.chip[data-facet="company"]').innerText(), /腾讯/);
    assert.equal(await page.getAttribute('.facet[data-facet="company"] .facet-value[aria-pressed="true"]', 'data-value'), '腾讯');

    // Removing the chip brings every match back; Back puts the filter back.
    await page.click('.chip[data-facet="company"]');
    await until(page, 'all matches again', () => document.querySelectorAll('#results .hit').length > 1 && !document.querySelector('.chip'));
    await page.goBack();
    await until(page, 'the filter restored by Back', (t) => {
      const titles = [...document.querySelectorAll('#results .hit-title')].map((e) => e.textContent);
      return document.querySelector('.chip[data-facet="company"]') && titles.length === 1 && titles[0] === t;
    }, TENCENT_TALK);
  },

  /** The speakers view for Intel, reached from the navigation; aliases give the same people. */
  async speakers_by_company(page) {
    await page.goto(`${base}/`);
    await page.click('#nav-speakers');
    await page.waitForSelector('#view-speakers:not([hidden])');
    await type(page, '#speakers-company', 'Intel');
    const names = async () => (await page.$$eval('.speaker-card .speaker-name', (es) => es.map((e) => e.textContent))).sort();
    await until(page, 'the Intel speakers', () => {
      const n = [...document.querySelectorAll('.speaker-card .speaker-name')].map((e) => e.textContent).sort();
      return n.join(',') === ['胡伟', '赵复生'].sort().join(',') && !document.querySelector('#speakers-list.loading');
    });
    assert.equal(query(page).company, 'Intel');
    assert.equal(query(page).view, 'speakers');
    const card = page.locator('.speaker-card', { hasText: '胡伟' });
    assert.ok((await card.innerText()).includes(TLS_TALK), 'each speaker lists their talks');
    assert.match(await page.textContent('#speakers-status'), /^2 位讲师/);

    // Tencent and 腾讯 show the same people.
    const people = {};
    for (const alias of ['Tencent', '腾讯']) {
      await page.goto(`${base}/?view=speakers&company=${encodeURIComponent(alias)}`);
      await until(page, `speakers of ${alias}`, () => document.querySelectorAll('.speaker-card').length > 0
        && !document.querySelector('#speakers-list.loading'));
      people[alias] = await names();
    }
    assert.deepEqual(people.Tencent, ['覃士林', '赵化冰'].sort());
    assert.deepEqual(people['腾讯'], people.Tencent);

    // A speaker's talk opens the talk view.
    await page.click(`.speaker-card a:text-is("${TENCENT_TALK}")`);
    await until(page, 'the talk view', (t) => document.querySelector('.talk-title')?.textContent === t, TENCENT_TALK);
  },

  /** A shared URL shows its results straight away, in the browser's language, switchable. */
  async shared_url(page) {
    await page.goto(`${base}/?q=Istio`);
    await waitForHits(page);
    assert.equal((await hitTitles(page)).length, 3);
    assert.match(await statusText(page), /^3 talks · [\d.]+ ms/, 'English for an English browser');
    assert.equal(await page.inputValue('#q'), 'Istio');
    assert.equal(await page.title(), 'Istio · talksearch');
    await page.click('#lang-switch');
    await until(page, 'Chinese interface text', () => /^3 个演讲/.test(document.getElementById('status').textContent));
    assert.equal(await page.textContent('#nav-speakers'), '讲师');
    await page.reload();
    await until(page, 'the language kept after reload', () => /^3 个演讲/.test(document.getElementById('status').textContent));

    // A shared URL with a filter shows it as a chip.
    await page.goto(`${base}/?q=${encodeURIComponent('服务网格')}&company=${encodeURIComponent('腾讯')}`);
    await waitForHits(page);
    assert.deepEqual(await hitTitles(page), [TENCENT_TALK]);
    assert.match(await page.locator('.chip[data-facet="company"]').innerText(), /腾讯/);
  },

  /** A <script> title and markup in names are shown as text and never run. */
  async script_title_is_inert(page) {
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs++; d.dismiss().catch(() => {}); });
    await page.goto(`${base}/?q=alert`);
    await waitForHits(page);
    assert.deepEqual(await hitTitles(page), [SCRIPT_TITLE], 'the title is shown as text');
    assert.equal(await page.locator('#results .hit-title mark').textContent(), 'alert', 'and still highlighted');
    assert.match(await page.locator('#results .hit-speakers').innerText(), /<img src=x onerror="window.__xss=1">/);
    assert.ok((await page.locator('#facets').innerText()).includes('<b>Escaping</b> & <i>friends</i> 2021'), 'facet values are text');
    assert.equal(await page.locator('main script, main img, main b, main i').count(), 0, 'no element came from data');

    await page.click('#results .hit-title a');
    await until(page, 'the talk view', (t) => document.querySelector('.talk-title')?.textContent === t, SCRIPT_TITLE);
    assert.ok((await page.locator('#talk').innerText()).includes('<img src=x onerror="window.__xss=4">'), 'the abstract is text');
    assert.equal(await page.locator('main script, main img, main b, main i').count(), 0, 'no element came from data');
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0, 'a javascript: URL is not a link');
    assert.equal(await page.title(), `${SCRIPT_TITLE} · talksearch`);

    await page.goto(`${base}/?view=speakers&name=${encodeURIComponent('<img')}`);
    await until(page, 'the speaker', () => document.querySelector('.speaker-card'));
    assert.equal(await page.locator('.speaker-card .speaker-name').textContent(), '<img src=x onerror="window.__xss=1">');
    assert.equal(await page.locator('main img').count(), 0);
    // Their page, and their company's, are text too.
    await page.click('.speaker-card a.speaker-name');
    await until(page, 'the speaker page', () => document.querySelector('#profile [data-kind="speaker"] .profile-name'));
    assert.equal(await page.textContent('#profile .profile-name'), '<img src=x onerror="window.__xss=1">');
    assert.equal(await page.locator('main script, main img, main b, main i').count(), 0, 'no element came from data');
    assert.equal(await page.title(), '<img src=x onerror="window.__xss=1"> · talksearch');

    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
    assert.equal(dialogs, 0, 'no alert was shown');
  },

  /** Empty results suggest dropping a filter; a server error is shown and the page keeps working. */
  async empty_and_errors(page) {
    await page.goto(`${base}/?q=${encodeURIComponent('服务网格')}&year=1999`);
    await page.waitForSelector('#results .notice.empty');
    assert.match(await page.locator('#results .notice.empty').innerText(), /没有找到与“服务网格”相关的演讲/);
    await page.click('#results .notice.empty .chip[data-facet="year"]');
    await waitForHits(page, 'results without the year filter');
    assert.equal(query(page).year, undefined);

    await page.goto(`${base}/?q=Istio&year=abc`);
    await page.waitForSelector('#results .notice.error');
    assert.match(await page.locator('#results .notice.error').innerText(), /abc/, 'the server\'s message is shown');
    // The page still works: drop the bad filter.
    await page.click('.chip[data-facet="year"]');
    await waitForHits(page, 'results after the error');

    // The server cannot be reached: said so, and Retry works once it is back.
    await page.route('**/api/search*', (route) => route.abort());
    await page.fill('#q', 'APISIX');
    await page.waitForSelector('#results .notice.error');
    assert.match(await page.locator('#results .notice.error').innerText(), /连不上服务器/);
    await page.unroute('**/api/search*');
    await page.click('#results .notice.error button');
    await waitForHits(page, 'results after Retry');
    assert.ok((await hitTitles(page)).some((t) => t.includes('APISIX')));
  },

  /** A talk two pages list (the summit's notice and a recap) is one result; its view names the
   *  other listing, which opens. */
  async talk_listed_twice(page) {
    await page.goto(`${base}/?q=${encodeURIComponent('TLS 加速')}`);
    await waitForHits(page);
    assert.deepEqual(await hitTitles(page), [TLS_TALK], 'shown once');
    await page.locator('#results .hit .hit-title a', { hasText: TLS_TALK }).click();
    await until(page, 'the talk view', (t) => document.querySelector('#view-talk:not([hidden]) .talk-title')?.textContent === t, TLS_TALK);
    assert.match(await page.locator('#talk .talk-event').innerText(), /Service Mesh Summit/, 'the fuller listing is shown');
    const also = page.locator('#talk .also-listed a');
    assert.equal(await also.count(), 1, 'one other listing');
    assert.equal(await also.innerText(), '服务网格峰会 2022 回顾');
    assert.match(await page.locator('#talk').innerText(), /也列在/);
    await also.click();
    await until(page, 'the other listing', () => document.querySelector('#view-talk:not([hidden]) .talk-event')?.textContent === '服务网格峰会 2022 回顾');
  },

  /** From a search hit to 赵化冰's page: his talk, 腾讯云 within 腾讯, and back to the company. */
  async speaker_page_from_a_hit(page) {
    await page.goto(`${base}/?q=Aeraki`);
    await waitForHits(page);
    await page.locator('#results .hit', { hasText: TENCENT_TALK }).locator('a.speaker-name', { hasText: '赵化冰' }).click();
    await until(page, 'the speaker page', () => document.querySelector('#view-profile:not([hidden]) .profile-name')?.textContent === '赵化冰'
      && !document.querySelector('#profile.loading'));
    assert.equal(query(page).view, 'speaker', 'the URL names the page');
    const id = query(page).id;
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.deepEqual(await page.$$eval('#profile .profile-talks a', (es) => es.map((e) => e.textContent)), [TENCENT_TALK]);
    const current = page.locator('#profile .company-spans li[data-status="current"]');
    assert.equal(await current.locator('a.company').first().textContent(), '腾讯云');
    assert.match(await current.innerText(), /属于\s*腾讯/, '腾讯云 is shown within 腾讯');
    assert.match(await page.locator('#profile .people').first().innerText(), /覃士林/, 'the co-speaker');
    assert.equal(await page.title(), '赵化冰 · talksearch');

    // Shared: the URL alone opens the same page; the company link opens 腾讯云's page.
    await page.goto(`${base}/?view=speaker&id=${id}`);
    await until(page, 'the shared speaker page', () => document.querySelector('.profile-name')?.textContent === '赵化冰');
    await current.locator('a.company', { hasText: '腾讯云' }).click();
    await until(page, "腾讯云's page", () => document.querySelector('#profile [data-kind="company"] .profile-name')?.textContent === '腾讯云');
    assert.equal(await page.locator('#profile .parent a').textContent(), '腾讯');
    await page.goBack();
    await until(page, 'the speaker page after Back', () => document.querySelector('#profile [data-kind="speaker"] .profile-name')?.textContent === '赵化冰');
  },

  /** 蚂蚁集团's page reached as 蚂蚁金服: its name, speakers and the talks-per-year chart. */
  async company_page_with_chart(page) {
    await page.goto(`${base}/?view=speakers&company=${encodeURIComponent('蚂蚁金服')}`);
    await until(page, 'the Ant Group speakers', () => document.querySelector('.speaker-card') && !document.querySelector('#speakers-list.loading'));
    await page.locator('.speaker-card', { hasText: '石建伟' }).locator('a.company').click();
    await until(page, "蚂蚁集团's page", () => document.querySelector('#profile [data-kind="company"] .profile-name')?.textContent === '蚂蚁集团');
    assert.deepEqual(query(page), { view: 'company', id: 'ant-group' });
    assert.match(await page.locator('#profile .other-names').innerText(), /蚂蚁金服/);
    assert.match(await page.locator('#profile .people.current').innerText(), /石建伟/);
    const bars = await page.$$eval('#profile svg.chart g.bar', (gs) => gs.map((g) => [g.dataset.year, g.dataset.talks]));
    assert.deepEqual(bars, [['2022', '1']], 'one bar: one talk in 2022');
    assert.equal(await page.locator('#profile svg.chart rect').count(), 1);
    assert.match(await page.locator('#profile svg.chart title').textContent(), /蚂蚁集团/);
    // Take along: the feed and the calendar of its talks, linked.
    assert.equal(await page.getAttribute('#profile a.feed-atom', 'href'), '/api/search.atom?company=ant-group');
    assert.equal(await page.getAttribute('#profile a.feed-ics', 'href'), '/api/search.ics?company=ant-group');
    const feed = await page.request.get(`${base}/api/search.atom?company=ant-group`);
    assert.equal(feed.status(), 200);
    assert.match(await feed.text(), /<entry><title>蚂蚁集团 Service Mesh 进展回顾与展望<\/title>/);
    // The search of its talks.
    await page.locator('#profile .profile-actions a.button').click();
    await waitForHits(page, 'its talks');
    assert.equal(query(page).company, 'ant-group');
  },

  /** A talk's "talks like this" link opens another talk; never the talk itself or its other listing. */
  async talks_like_this(page) {
    await page.goto(`${base}/?q=${encodeURIComponent('TLS 加速')}`);
    await waitForHits(page);
    assert.ok(await page.locator('#status a.feed-atom').count(), 'the search links its feed');
    await page.locator('#results .hit .hit-title a', { hasText: TLS_TALK }).click();
    await until(page, 'talks like this', () => document.querySelector('#talk .similar:not([hidden]) .similar-talks a'));
    const like = await page.$$eval('#talk .similar-talks a', (es) => es.map((e) => e.textContent));
    assert.ok(like.length >= 1 && like.length <= 5, `a few talks: ${like}`);
    assert.ok(!like.includes(TLS_TALK), 'not the talk itself');
    // Its speakers' names lead to their pages.
    assert.match(await page.getAttribute('#talk .talk-speaker a.speaker-name >> nth=0', 'href'), /view=speaker&id=[0-9a-f]{16}/);
    await page.locator('#talk .similar-talks a').first().click();
    await until(page, 'the similar talk', (t) => document.querySelector('#view-talk:not([hidden]) .talk-title')?.textContent === t, like[0]);
    assert.notEqual(query(page).talk, undefined);
  },

  /** On a phone: no sideways scrolling, filters behind a button. */
  async phone_layout(page) {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/?q=${encodeURIComponent('服务网格')}`);
    await waitForHits(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (overflow ${overflow}px)`);
    assert.equal(await page.isVisible('#facets'), false, 'facets start folded');
    await page.click('#facets-toggle');
    assert.equal(await page.isVisible('#facets'), true);
    await page.locator('.facet[data-facet="company"] .facet-value', { hasText: /^腾讯\d+$/ }).click();
    await until(page, 'the filtered result', (t) => document.querySelector('#results .hit-title')?.textContent === t
      && document.querySelectorAll('#results .hit').length === 1, TENCENT_TALK);
  },
};

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

/** Runs one scenario in a fresh browser context (its own storage); returns null or what failed. */
async function run(browser, name) {
  const context = await browser.newContext({
    locale: name === 'shared_url' ? 'en-US' : 'zh-CN',
    viewport: { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught error in the page: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP violation: ${m.text()}`);
  });
  try {
    await scenarios[name](page);
    return problems.length ? problems.join('\n') : null;
  } catch (e) {
    return [String(e.stack || e), ...problems].join('\n');
  } finally {
    await context.close().catch(() => {});
  }
}

async function main() {
  const [, ...names] = process.argv.slice(2);
  const unknown = names.filter((n) => !scenarios[n]);
  if (!base || unknown.length) {
    console.error(`usage: node drive.mjs <base-url> [${Object.keys(scenarios).join('|')} …]`);
    process.exit(2);
  }
  // Playwright gives the browser a fresh temporary profile (--user-data-dir) and removes it after.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
  let failed = 0;
  try {
    for (const name of names.length ? names : Object.keys(scenarios)) {
      const started = Date.now();
      const problem = await run(browser, name);
      const ms = Date.now() - started;
      // One line per scenario, read by tests/browser.rs.
      console.log(problem === null ? `RESULT ${name} ok ${ms}` : `RESULT ${name} FAILED ${ms} ${JSON.stringify(problem)}`);
      if (problem !== null) failed++;
    }
  } finally {
    await browser.close();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
