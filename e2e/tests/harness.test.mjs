// The harness checks itself: each guard that the stories rely on must catch what it is there for,
// or a green run would mean nothing. A tiny local server serves pages that are wrong on purpose.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { axeCheck, assertAllTranslated, assertFitsWidth, assertHeadingAlignedRight, launch, newPage, pdfPageCount } from '../lib.mjs';

const PAGES = {
  '/ok': { body: '<main><h1>Fine</h1><p>Short.</p></main>' },
  // tracker.invalid never resolves (reserved name), and the request is aborted before it leaves.
  '/third-party': { body: '<main><h1>Tracker</h1><img alt="" src="http://tracker.invalid/pixel.png"></main>' },
  '/csp': {
    csp: "default-src 'self'",
    body: '<main><h1>Inline</h1><script>document.title = "ran"</script><p style="color:red">styled</p></main>',
  },
  '/script': { body: '<main><h1>Script</h1><script>document.title = "ran"</script></main>' },
  '/axe': { body: '<main><h1>Picture</h1><img src="/ok"><input type="text"></main>' },
  '/wide': { body: '<main><h1>Wide</h1><div style="width:900px">too wide for a phone</div></main>' },
  '/untranslated': { body: '<main><h1>Keys</h1><p>Langues : Unknown localization key: "language-xx"</p></main>' },
  '/rtl-left': { html: 'lang="ar" dir="rtl"', body: '<main><h1 lang="fr" dir="ltr">Point d\'accès au droit</h1></main>' },
  '/rtl-right': { html: 'lang="ar" dir="rtl"', body: '<main><h1>مرحبا <span lang="fr" dir="ltr">Saint-Denis</span> بكم</h1></main>' },
  '/long': { body: '<main><h1>Long</h1>' + '<p>line</p>'.repeat(200) + '</main>' },
};

let browser;
let server;
let base;
before(async () => {
  server = http.createServer((req, res) => {
    const p = PAGES[req.url];
    if (!p) { res.writeHead(404); res.end(); return; }
    const headers = { 'content-type': 'text/html; charset=utf-8' };
    if (p.csp) headers['content-security-policy'] = p.csp;
    res.writeHead(200, headers);
    res.end(`<!doctype html><html ${p.html || 'lang="fr"'}><head><meta name="viewport" content="width=device-width"><title>t</title></head><body>${p.body}</body></html>`);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function open(path, opts = {}) {
  const s = await newPage(browser, { journey: 'harness', ...opts });
  await s.page.goto(base + path);
  await s.page.waitForLoadState('load');
  return s;
}

test('harness: a clean page passes every check', async () => {
  const s = await open('/ok');
  await axeCheck(s, 'ok');
  await assertFitsWidth(s, 'ok');
  await assertAllTranslated(s, 'ok');
  s.check();
  await s.close();
});

test('harness: a request to another host is caught (and aborted before it leaves)', async () => {
  const s = await open('/third-party');
  assert.ok(s.problems.some((p) => p.startsWith('third-party request') && p.includes('tracker.invalid')), s.problems.join('\n'));
  assert.throws(() => s.check(), /third-party/);
  await s.close();
});

test('harness: a Content-Security-Policy violation on the console is caught', async () => {
  const s = await open('/csp');
  assert.ok(s.problems.some((p) => p.startsWith('CSP violation')), s.problems.join('\n'));
  await s.close();
});

for (const js of [true, false]) {
  test(`harness: axe finds WCAG violations ${js ? 'with' : 'without'} JavaScript`, async () => {
    const s = await open('/axe', { js });
    await axeCheck(s, js ? 'axe' : 'axe-nojs');
    const rules = s.findings.map((f) => f.rule);
    assert.ok(rules.includes('image-alt'), rules.join(', '));
    assert.ok(rules.includes('label'), rules.join(', '));
    assert.throws(() => s.check(), /axe image-alt/);
    await s.close();
  });
}

test('harness: a context without JavaScript runs no script of the page', async () => {
  const on = await open('/script');
  assert.equal(await on.page.title(), 'ran');
  await on.close();
  const off = await open('/script', { js: false });
  assert.equal(await off.page.title(), 't');
  await off.close();
});

test('harness: a page wider than a 360 px screen is caught', async () => {
  const s = await open('/wide', { width: 360 });
  await assertFitsWidth(s, 'wide');
  assert.ok(s.problems.some((p) => p.startsWith('horizontal scrolling')), s.problems.join('\n'));
  await s.close();
});

test('harness: a message key shown instead of words is caught', async () => {
  const s = await open('/untranslated');
  await assertAllTranslated(s, 'untranslated');
  assert.ok(s.problems.some((p) => p.includes('language-xx')), s.problems.join('\n'));
  await s.close();
});

test('harness: an Arabic page whose <h1> sits on the left is caught', async () => {
  for (const width of [360, 1280]) {
    const left = await open('/rtl-left', { lang: 'ar', width });
    await assertHeadingAlignedRight(left, 'rtl-left');
    assert.ok(left.problems.some((p) => p.startsWith('RTL:')), `${width}px: ${left.problems.join('\n')}`);
    await left.close();
    const right = await open('/rtl-right', { lang: 'ar', width });
    await assertHeadingAlignedRight(right, 'rtl-right');
    assert.deepEqual(right.problems, [], `${width}px`);
    await right.close();
  }
});

test('harness: PDF pages are counted', async () => {
  const s = await open('/ok');
  assert.equal(pdfPageCount(await s.page.pdf({ format: 'A4' })), 1);
  await s.page.goto(base + '/long');
  assert.ok(pdfPageCount(await s.page.pdf({ format: 'A4' })) > 1);
  await s.close();
});
