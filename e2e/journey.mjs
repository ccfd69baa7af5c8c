// The steps of a person's journey through the public pages, shared by the mouse, keyboard and
// no-JavaScript stories. Each step checks what the page contract promises at that point.

import assert from 'node:assert/strict';
import { arrived, pdfPageCount, saveArtifact, visit } from './lib.mjs';

const SERVICE_PATH = /^\/services\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERVICE_LINK = /^\/services\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\?lang=(fr|en|ar))?$/;
const STATUS_CLASSES = ['status-open', 'status-closed', 'status-unknown'];

/** The home page offers the search form of the contract. */
export async function assertSearchForm(s) {
  const form = await s.page.evaluate(() => {
    const f = document.querySelector('form#recherche');
    if (!f) return null;
    return {
      action: new URL(f.action).pathname,
      method: (f.getAttribute('method') || 'get').toLowerCase(),
      role: f.getAttribute('role'),
      q: f.querySelector('input#q')?.name,
      commune: f.querySelector('input#commune')?.name,
      when: [...f.querySelectorAll('input[type=radio][name=when]')].map((r) => r.value),
      submit: f.querySelector('button#chercher')?.type,
      shortcuts: [...document.querySelectorAll('ul.raccourcis a[href]')].map((a) => a.getAttribute('href')),
    };
  });
  assert.ok(form, 'the home page has <form id="recherche">');
  assert.equal(form.action, '/services', 'the search form goes to /services');
  assert.equal(form.method, 'get', 'the search form is a GET form');
  assert.equal(form.role, 'search', 'the search form has role="search"');
  assert.equal(form.q, 'q', '<input id="q" name="q">');
  assert.equal(form.commune, 'commune', '<input id="commune" name="commune">');
  assert.deepEqual([...form.when].sort(), ['any', 'now', 'today', 'week'], 'radio buttons when = any, now, today, week');
  assert.equal(form.submit, 'submit', '<button id="chercher" type="submit">');
  assert.ok(form.shortcuts.length > 0, 'quick links in <ul class="raccourcis">');
  return form;
}

/** With the mouse: type the commune, click "search". */
export async function searchByCommune(s, commune) {
  await assertSearchForm(s);
  await s.page.locator('#commune').fill(commune);
  await Promise.all([
    s.page.waitForURL((u) => u.pathname === '/services'),
    s.page.locator('#chercher').click(),
  ]);
}

/** The results page lists services, each with a link and a status in words. Returns the first. */
export async function assertResults(s, commune) {
  const here = new URL(s.page.url());
  assert.equal(here.pathname, '/services');
  assert.equal(here.searchParams.get('commune'), commune, 'the commune travels in the address');
  const r = await s.page.evaluate((statusClasses) => {
    const items = [...document.querySelectorAll('ol#resultats > li.result')];
    return {
      h1: document.querySelector('h1')?.textContent.trim(),
      resume: document.querySelector('p#resume')?.textContent.trim(),
      filters: document.querySelector('form#filtres') && {
        method: (document.querySelector('form#filtres').getAttribute('method') || 'get').toLowerCase(),
      },
      none: !!document.querySelector('#aucun-resultat'),
      items: items.map((li) => {
        const a = li.querySelector('h2 > a[href]');
        const st = li.querySelector('p.status');
        return {
          href: a?.getAttribute('href'),
          name: a?.textContent.replace(/\s+/g, ' ').trim(),
          statusClass: st ? [...st.classList].filter((c) => statusClasses.includes(c)) : null,
          statusText: st?.textContent.replace(/\s+/g, ' ').trim(),
        };
      }),
    };
  }, STATUS_CLASSES);
  assert.ok(r.h1, 'the results page has an <h1>');
  assert.ok(r.resume, 'a summary line <p id="resume">');
  assert.ok(r.filters, 'filters in <form id="filtres">');
  assert.equal(r.filters.method, 'get', 'the filters are a plain GET form');
  assert.equal(r.none, false, `services are found in ${commune}`);
  assert.ok(r.items.length > 0, `<ol id="resultats"> lists services in ${commune}`);
  for (const [i, it] of r.items.entries()) {
    // The link may carry the language (?lang=xx) along.
    assert.match(it.href ?? '', SERVICE_LINK, `result ${i + 1}: <h2><a href="/services/UUID">`);
    it.path = it.href.split('?')[0];
    assert.ok(it.name, `result ${i + 1}: the link names the service`);
    assert.equal(it.statusClass?.length, 1, `result ${i + 1}: <p class="status status-open|status-closed|status-unknown">`);
    assert.ok(it.statusText && it.statusText.length > 2, `result ${i + 1}: the status is said in words`);
  }
  return r.items[0];
}

/** With the mouse: open the first result. */
export async function openResult(s, result) {
  const link = s.page.locator('ol#resultats > li.result h2 > a').first();
  await Promise.all([
    s.page.waitForURL((u) => u.pathname === result.path),
    link.click(),
  ]);
}

/** A service page: its name, today's status in words, the next 7 days, an address, a share link. */
export async function assertService(s, result) {
  const path = new URL(s.page.url()).pathname;
  assert.match(path, SERVICE_PATH);
  const d = await s.page.evaluate(() => {
    const today = document.querySelector('section#aujourdhui .status');
    const rows = [...document.querySelectorAll('table#semaine > tbody > tr')];
    const osm = [...document.querySelectorAll('a[href*="openstreetmap.org"]')];
    const share = document.querySelector('a#partager');
    const visible = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    return {
      h1: document.querySelector('h1')?.textContent.replace(/\s+/g, ' ').trim(),
      today: today?.textContent.replace(/\s+/g, ' ').trim(),
      todayVisible: visible(today),
      rows: rows.length,
      rowsText: rows.map((r) => r.textContent.replace(/\s+/g, ' ').trim()),
      weekVisible: visible(document.querySelector('table#semaine')),
      osm: osm.map((a) => a.href),
      share: share?.href,
      embedded: [...document.querySelectorAll('iframe, img, object, embed')].map((e) => e.src || e.data || '').filter((u) => u && !u.startsWith(location.origin) && !u.startsWith('data:')),
    };
  });
  if (result) assert.equal(d.h1, result.name, 'the <h1> is the name of the service that was opened');
  else assert.ok(d.h1, 'the service page has an <h1>');
  assert.ok(d.today && d.today.length > 2, 'today\'s status, in words, in <section id="aujourdhui"> .status');
  assert.ok(d.todayVisible, 'today\'s status is visible');
  assert.equal(d.rows, 7, '<table id="semaine"> shows 7 days (today and the next 6)');
  assert.ok(d.weekVisible, 'the week is visible');
  assert.ok(d.rowsText.every((t) => t.length > 0), 'every day of the week says something');
  assert.ok(d.osm.length > 0, 'a plain link to openstreetmap.org for the address');
  assert.deepEqual(d.embedded, [], 'no map or picture is embedded from elsewhere');
  assert.ok(d.share, '<a id="partager"> share link');
  assert.equal(new URL(d.share).pathname, path, 'the share link is the address of this service');
  return d;
}

/**
 * The print view of a service: print media, a screenshot, and an A4 PDF that must fit on exactly
 * one page. The PDF is kept under artifacts/pdf/.
 */
export async function assertPrintsOnOnePage(s) {
  const { page } = s;
  await page.emulateMedia({ media: 'print' });
  try {
    const shown = await page.evaluate(() => {
      const visible = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
      return {
        h1: visible(document.querySelector('h1')),
        week: visible(document.querySelector('#semaine')),
      };
    });
    // Today's status may be left out on paper (it is stale by tomorrow); the week may not.
    assert.deepEqual(shown, { h1: true, week: true }, 'the print view keeps the name and the week');
    await s.shot('print');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const file = saveArtifact('pdf', `${s.journey}-${s.lang}-${s.width}-service.pdf`, pdf);
    const pages = pdfPageCount(pdf);
    if (pages !== 1) {
      s.problems.push(`print view of ${new URL(page.url()).pathname} makes ${pages} A4 pages, not 1 (${file})`);
    }
    return pages;
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
}

/** The whole journey with a mouse (or a tap): home → results → service → print. */
export async function searchOpenAndPrint(s, commune, startPath) {
  await visit(s, startPath, 'home');
  await searchByCommune(s, commune);
  await arrived(s, 'results');
  const first = await assertResults(s, commune);
  await openResult(s, first);
  await arrived(s, 'service');
  await assertService(s, first);
  await assertPrintsOnOnePage(s);
}

// ---------------------------------------------------------------------------------------------
// Keyboard only: Tab, typing and Enter; never a click.

/** What has the focus, and whether one can see it. */
async function focused(s) {
  return s.page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return { what: 'body', selectorish: 'body', visibleFocus: true, inViewport: true };
    const cs = getComputedStyle(e);
    const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
    let visibleFocus = ring;
    if (!ring) {
      // Some other visible change on focus: colours, underline, border.
      const keys = ['color', 'backgroundColor', 'textDecorationLine', 'borderTopColor', 'borderBottomColor', 'borderBottomWidth'];
      const on = keys.map((k) => cs[k]);
      e.blur();
      const off = keys.map((k) => getComputedStyle(e)[k]);
      e.focus({ focusVisible: true });
      visibleFocus = on.some((v, i) => v !== off[i]);
    }
    const r = e.getBoundingClientRect();
    const tag = e.tagName.toLowerCase();
    const label = (e.getAttribute('aria-label') || e.textContent || e.value || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return {
      what: `${tag}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}${e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : ''}${label ? ` "${label}"` : ''}`,
      visibleFocus,
      inViewport: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    };
  });
}

/** Presses Tab until the focused element matches `selector`; every stop must show its focus. */
export async function tabTo(s, selector, max = 80) {
  const order = [];
  for (let i = 0; i < max; i++) {
    await s.page.keyboard.press('Tab');
    const f = await focused(s);
    order.push(f.what);
    if (!f.visibleFocus) s.problems.push(`no visible focus indicator on ${f.what} (${new URL(s.page.url()).pathname}, ${s.lang} ${s.width}px)`);
    if (!f.inViewport) s.problems.push(`focused element off screen: ${f.what} (${new URL(s.page.url()).pathname}, ${s.lang} ${s.width}px)`);
    if (await s.page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return order;
    // A keyboard trap: focus that no longer moves.
    if (order.length >= 4 && order.slice(-4).every((w) => w === f.what) && f.what !== 'body') {
      assert.fail(`keyboard trap on ${f.what} at ${s.page.url()}; focus order: ${order.join(' → ')}`);
    }
  }
  assert.fail(`${selector} not reached with ${max} Tabs on ${s.page.url()}; focus order: ${order.join(' → ')}`);
}

/** First Tab: the skip link, visible; Enter: to the main content, the next Tab stays in it. */
export async function skipToContent(s) {
  const order = await tabTo(s, 'a.skip-link', 1).catch((e) => {
    throw new Error(`the first Tab does not reach the skip link: ${e.message}`);
  });
  const f = await focused(s);
  assert.ok(f.inViewport, `the focused skip link is on screen (${order})`);
  await s.page.keyboard.press('Enter');
  const after = await s.page.evaluate(() => ({
    hash: location.hash,
    inMain: !!document.activeElement?.closest('main#contenu'),
  }));
  assert.equal(after.hash, '#contenu', 'the skip link leads to #contenu');
  await s.page.keyboard.press('Tab');
  const next = await s.page.evaluate(() => !!document.activeElement?.closest('main#contenu'));
  assert.ok(next, 'after the skip link, Tab goes on inside the main content');
}

/** Presses Enter on the focused element and waits for the page that follows. */
export async function enterAndWait(s, until) {
  await Promise.all([s.page.waitForURL(until), s.page.keyboard.press('Enter')]);
}

/** Keyboard only: language (by the switcher), search by commune, open the first result. */
export async function keyboardSearchAndOpen(s, commune, lang) {
  // Typing an address is not using the mouse; the language is then chosen with the keyboard.
  s.lang = 'fr';
  await visit(s, '/', lang === 'fr' ? 'home' : `home-before-${lang}`);
  if (lang !== 'fr') {
    await tabTo(s, `nav.langues a[hreflang="${lang}"]`);
    await enterAndWait(s, (u) => u.searchParams.get('lang') === lang);
    s.lang = lang;
    await arrived(s, 'home');
  }
  await skipToContent(s);
  await tabTo(s, '#commune');
  await s.page.keyboard.type(commune);
  await enterAndWait(s, (u) => u.pathname === '/services');
  await arrived(s, 'results');
  const first = await assertResults(s, commune);
  await skipToContent(s);
  await tabTo(s, 'ol#resultats > li.result h2 > a');
  const href = await s.page.evaluate(() => document.activeElement.getAttribute('href'));
  assert.equal(href, first.href, 'the first result link is the first one reached by Tab');
  await enterAndWait(s, (u) => u.pathname === first.path);
  await arrived(s, 'service');
  await assertService(s, first);
}
