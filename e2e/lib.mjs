// Small helpers for the Relais browser tests: one headless Chromium (Debian's), pages that watch
// their own network and console, an axe-core scan, screenshots and PDF page counting.
//
// The tests read like stories; everything that is not the story lives here.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));

/** The server under test (started by run.sh). Always 127.0.0.1: no other host is allowed. */
export const BASE_URL = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const ARTIFACTS = process.env.E2E_ARTIFACTS || join(HERE, 'artifacts');
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const WIDTHS = [360, 1280];
export const LANGS = ['fr', 'en', 'ar'];
/** The commune every journey searches for (the demo spreads services over the MGP by population). */
export const COMMUNE = process.env.E2E_COMMUNE || 'Saint-Denis';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const LOCAL_HOST = new URL(BASE_URL).hostname;

// Without the background-networking flags Chromium tries to reach Google's services.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--dns-prefetch-disable',
];

/** Starts headless Chromium. One per test file; close it in `after`. */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** An absolute URL on the server under test. */
export function url(path) {
  return BASE_URL + path;
}

/** `path` with `lang=xx` added to its query (French, the default, gets no parameter). */
export function withLang(path, lang) {
  if (lang === 'fr') return path;
  return path + (path.includes('?') ? '&' : '?') + 'lang=' + lang;
}

/**
 * Opens a fresh browser context and page `width` px wide (French browser locale, so that the
 * page's language comes from `?lang=` and the `lang` cookie only).
 *
 * The page is watched from its first request: `problems` collects every request to a host other
 * than 127.0.0.1 (aborted before it leaves), every Content-Security-Policy violation on the
 * console, uncaught page errors and failed sub-resources. `check()` asserts there is none.
 * `findings` collects the axe violations of every page visited; `check()` asserts those too.
 * `langs`: the languages the pages offer in their switcher (the professional space: fr, en).
 */
export async function newPage(browser, { lang = 'fr', width = 1280, js = true, journey = 'page', langs = LANGS } = {}) {
  const context = await browser.newContext({
    viewport: { width, height: 800 },
    javaScriptEnabled: js,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const s = {
    browser, context, page, lang, width, js, journey, langs,
    problems: [],
    findings: [],
    visited: [],
    shot: (name) => shot(page, `${s.journey}-${s.lang}-${s.width}-${name}`),
    check: () => check(s),
    close: () => context.close(),
  };
  watch(s);
  return s;
}

function isLocal(u) {
  if (/^(data|blob|about):/.test(u)) return true;
  try {
    return new URL(u).hostname === LOCAL_HOST;
  } catch {
    return false;
  }
}

function watch(s) {
  const { context, page } = s;
  // Anything for another host is refused by the browser before it leaves, and recorded.
  context.route((u) => !isLocal(u.href), (route) => route.abort('blockedbyclient'));
  page.on('request', (req) => {
    if (!isLocal(req.url())) {
      s.problems.push(`third-party request from ${page.url()}: ${req.method()} ${req.url()} (${req.resourceType()})`);
    }
  });
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy|Refused to (load|apply|execute|connect|frame|evaluate)/i.test(text)) {
      s.problems.push(`CSP violation on ${page.url()}: ${text}`);
    }
  });
  page.on('pageerror', (err) => s.problems.push(`uncaught error on ${page.url()}: ${err.message}`));
  page.on('response', (resp) => {
    const req = resp.request();
    // The document itself may be a 404 on purpose; its CSS, scripts, images must not.
    if (req.resourceType() !== 'document' && resp.status() >= 400) {
      s.problems.push(`sub-resource ${req.url()} answered ${resp.status()} on ${page.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    if (isLocal(req.url()) && req.resourceType() !== 'document') {
      s.problems.push(`sub-resource ${req.url()} failed (${req.failure()?.errorText}) on ${page.url()}`);
    }
  });
}

/** Asserts that nothing went wrong behind the story: network, CSP, errors, axe. */
export function check(s) {
  const lines = [...s.problems];
  for (const f of s.findings) lines.push(formatFinding(f));
  if (lines.length > 0) {
    assert.fail(`${s.journey} ${s.lang} ${s.width}px${s.js ? '' : ' (no JavaScript)'}: ${lines.length} problem(s):\n  ${lines.join('\n  ')}`);
  }
}

/** Asserts now (mid-story) that no request has left 127.0.0.1 so far. */
export function assertNoThirdParty(s) {
  const third = s.problems.filter((p) => p.startsWith('third-party'));
  assert.deepEqual(third, [], 'requests left 127.0.0.1');
}

function formatFinding(f) {
  return `axe ${f.rule} (${f.impact}) on ${f.page} [${f.where}]: ${f.help} — ${f.targets.join(' | ')}${f.message ? ' — ' + f.message : ''}`;
}

/** Saves a full-page screenshot as artifacts/screenshots/<name>.png and returns its path. */
export async function shot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Writes a file under artifacts/<sub>/ and returns its path. */
export function saveArtifact(sub, name, data) {
  const dir = join(ARTIFACTS, sub);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is and records each violation
 * in `s.findings` (asserted by `s.check()` at the end of the story, so one story reports every
 * page). The full result goes to artifacts/axe/<name>.json.
 *
 * axe needs timers, and a page without JavaScript has none: for such a page the very DOM it shows
 * (noscript content unwrapped, scripts dropped) is served again at the same address to a twin
 * page with JavaScript, same width and CSS, and scanned there.
 */
export async function axeCheck(s, name) {
  const { page } = s;
  let target = page;
  let twin = null;
  if (!s.js) {
    const html = (await page.content())
      .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '')
      .replace(/<\/?noscript>/gi, '');
    const address = page.url();
    const status = (await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.responseStatus)) || 200;
    twin = await s.browser.newContext({ viewport: page.viewportSize(), locale: 'fr-FR', reducedMotion: 'reduce' });
    await twin.route((u) => !isLocal(u.href), (route) => route.abort('blockedbyclient'));
    await twin.route((u) => u.href === address, (route) =>
      route.fulfill({ status, contentType: 'text/html; charset=utf-8', body: html }));
    await twin.route('**/*.js', (route) => route.abort('blockedbyclient'));
    target = await twin.newPage();
    await target.goto(address);
  }
  try {
    await target.evaluate(AXE_SOURCE + '\n;0');
    const result = await target.evaluate((tags) => window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    }), AXE_TAGS);
    saveArtifact('axe', `${s.journey}-${s.lang}-${s.width}-${name}.json`, JSON.stringify({
      url: page.url(), js: s.js, width: s.width, violations: result.violations,
    }, null, 2));
    for (const v of result.violations) {
      for (const node of v.nodes) {
        s.findings.push({
          rule: v.id,
          impact: node.impact || v.impact,
          page: `${name} ${pathOf(page.url())}`,
          where: `${s.lang} ${s.width}px${s.js ? '' : ' no-JS'}`,
          help: v.help,
          targets: node.target.map(String),
          message: (node.failureSummary || '').replace(/\s+/g, ' ').trim(),
        });
      }
    }
    return result.violations;
  } finally {
    if (twin) await twin.close();
  }
}

function pathOf(u) {
  const p = new URL(u);
  return p.pathname + p.search;
}

/**
 * Goes to `path`, then checks what every page promises: the language, the skip link first,
 * `main#contenu`, the language switcher keeping the address, the stylesheet, a page that fits
 * the width. Runs axe and takes a screenshot named after the page. Returns the response.
 */
export async function visit(s, path, name, { status = 200 } = {}) {
  const resp = await s.page.goto(url(path));
  assert.equal(resp.status(), status, `GET ${path}: status`);
  await arrived(s, name);
  return resp;
}

/** The checks of `visit` for a page reached by a link or a form rather than by address. */
export async function arrived(s, name) {
  const { page } = s;
  await page.waitForLoadState('load');
  s.visited.push(pathOf(page.url()));
  await assertPageContract(page, s.lang, s.langs);
  await assertFitsWidth(s, name);
  await assertAllTranslated(s, name);
  if (s.lang === 'ar') await assertHeadingAlignedRight(s, name);
  await axeCheck(s, name);
  await s.shot(name);
}

/**
 * In Arabic the page reads from the right: the <h1> starts at the right edge, even when it is a
 * name kept in French (`lang="fr" dir="ltr"`), or the title floats alone on the left.
 */
export async function assertHeadingAlignedRight(s, name) {
  const gaps = await s.page.evaluate(() => {
    const h1 = document.querySelector('h1');
    if (!h1) return [];
    const box = h1.getBoundingClientRect();
    const right = box.right - parseFloat(getComputedStyle(h1).paddingRight) - parseFloat(getComputedStyle(h1).borderRightWidth);
    const range = document.createRange();
    range.selectNodeContents(h1);
    // One entry per line of text: the rightmost end of what is on it.
    const lines = new Map();
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      const top = Math.round(r.top);
      lines.set(top, Math.max(lines.get(top) ?? -Infinity, r.right));
    }
    return [...lines.values()].map((end) => Math.round(right - end));
  });
  const worst = Math.max(0, ...gaps);
  if (worst > 4) {
    s.problems.push(`RTL: the <h1> of ${name} ${pathOf(s.page.url())} is not aligned to the right at ${s.width}px (a line ends ${worst}px short of the right edge)`);
  }
}

/** No message key shown instead of words (a Fluent message missing from a locale). */
export async function assertAllTranslated(s, name) {
  const raw = await s.page.evaluate(() => {
    const text = document.title + '\n' + document.body.innerText + '\n'
      + [...document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')]
        .map((e) => ['aria-label', 'title', 'alt', 'placeholder'].map((a) => e.getAttribute(a) || '').join(' ')).join('\n');
    return [...new Set(text.match(/Unknown localization key[^\n]{0,40}|\{\s*\$[\w-]+\s*\}/g) || [])];
  });
  for (const r of raw) s.problems.push(`untranslated text on ${name} ${pathOf(s.page.url())} (${s.lang}): ${r}`);
}

/** The contract that every page keeps (`langs`: the languages of its switcher). */
export async function assertPageContract(page, lang, langs = LANGS) {
  const facts = await page.evaluate(() => {
    const focusable = [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])',
    )].filter((e) => !e.disabled);
    const first = focusable[0];
    return {
      lang: document.documentElement.getAttribute('lang'),
      dir: document.documentElement.getAttribute('dir'),
      direction: getComputedStyle(document.body).direction,
      title: document.title,
      firstFocusable: first ? first.outerHTML.slice(0, 120) : null,
      skipHref: first && first.matches('a.skip-link') ? first.getAttribute('href') : null,
      main: !!document.querySelector('main#contenu'),
      mains: document.querySelectorAll('main').length,
      h1: document.querySelectorAll('h1').length,
      switcher: [...document.querySelectorAll('nav.langues a[hreflang]')].map((a) => ({
        hreflang: a.getAttribute('hreflang'), href: a.href,
      })),
      css: [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => new URL(l.href).pathname),
      scripts: [...document.querySelectorAll('script[src]')].map((e) => new URL(e.src).pathname),
      here: location.href,
    };
  });
  const where = `${facts.here}`;
  assert.equal(facts.lang, lang, `${where}: <html lang>`);
  if (lang === 'ar') {
    assert.equal(facts.dir, 'rtl', `${where}: <html dir="rtl"> for Arabic`);
    assert.equal(facts.direction, 'rtl', `${where}: the body is laid out right to left`);
  } else {
    assert.notEqual(facts.dir, 'rtl', `${where}: not right to left`);
    assert.equal(facts.direction, 'ltr', `${where}: the body is laid out left to right`);
  }
  assert.ok(facts.title.trim().length > 0, `${where}: a <title>`);
  assert.equal(facts.skipHref, '#contenu', `${where}: the first focusable element is the skip link <a class="skip-link" href="#contenu">, got ${facts.firstFocusable}`);
  assert.ok(facts.main, `${where}: <main id="contenu">`);
  assert.equal(facts.mains, 1, `${where}: exactly one <main>`);
  assert.equal(facts.h1, 1, `${where}: exactly one <h1>`);

  const here = new URL(facts.here);
  assert.deepEqual(facts.switcher.map((l) => l.hreflang).sort(), [...langs].sort(), `${where}: <nav class="langues"> links to ${langs.join(', ')}`);
  for (const l of facts.switcher) {
    const to = new URL(l.href);
    assert.equal(to.origin, here.origin, `${where}: switcher ${l.hreflang} stays on the site`);
    assert.equal(to.pathname, here.pathname, `${where}: switcher ${l.hreflang} keeps the path (${l.href})`);
    assert.equal(to.searchParams.get('lang'), l.hreflang, `${where}: switcher ${l.hreflang} sets lang=${l.hreflang} (${l.href})`);
    for (const [k, v] of here.searchParams) {
      if (k !== 'lang') assert.ok(to.searchParams.getAll(k).includes(v), `${where}: switcher ${l.hreflang} keeps ${k}=${v} (${l.href})`);
    }
  }
  assert.ok(facts.css.some((p) => /^\/static\/app\.[0-9A-Za-z_-]+\.css$/.test(p)), `${where}: stylesheet /static/app.<hash>.css, got ${facts.css}`);
  for (const p of facts.scripts) {
    assert.match(p, /^\/static\/near-me\.[0-9A-Za-z_-]+\.js$/, `${where}: the only script is /static/near-me.<hash>.js`);
  }
  return facts;
}

/** At 360 px nothing may be wider than the screen (WCAG 1.4.10 reflow): no sideways scrolling. */
export async function assertFitsWidth(s, name) {
  const { scroll, client, wide } = await s.page.evaluate(() => {
    const root = document.scrollingElement || document.documentElement;
    const vw = root.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > vw + 1 || r.left < -1) && getComputedStyle(e).position !== 'fixed'
          && !e.closest('.skip-link');
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`);
    return { scroll: root.scrollWidth, client: vw, wide };
  });
  if (scroll > client + 1) {
    s.problems.push(`horizontal scrolling on ${name} ${pathOf(s.page.url())} at ${s.width}px: content ${scroll}px wide in a ${client}px window (widest: ${wide.join(', ')})`);
  }
}

/**
 * Number of pages in a PDF made by Chromium: the page objects (`/Type /Page`, not `/Pages`),
 * checked against the page tree's `/Count`.
 */
export function pdfPageCount(pdf) {
  const text = Buffer.from(pdf).toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[\s\S]{0,200}?\/Count\s+(\d+)|\/Count\s+(\d+)[\s\S]{0,200}?\/Type\s*\/Pages\b/g)]
    .map((m) => Number(m[1] ?? m[2]));
  if (counts.length > 0) {
    const root = Math.max(...counts);
    assert.equal(pages, root, `PDF page objects (${pages}) and page tree /Count (${root}) agree`);
  }
  return pages;
}
