// The other public pages — about, accessibility, privacy — and a page that does not exist: each
// in the site's design, in each language, at each width, with no accessibility violation.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LANGS, WIDTHS, launch, newPage, visit, withLang } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = [
  ['/a-propos', 'a-propos'],
  ['/accessibilite', 'accessibilite'],
  ['/confidentialite', 'confidentialite'],
];

for (const lang of LANGS) {
  for (const width of WIDTHS) {
    test(`${lang} ${width}px: about, accessibility and privacy pages, and a 404 in the same design`,
      { timeout: 180_000 }, async () => {
        const s = await newPage(browser, { lang, width, journey: 'pages' });
        try {
          for (const [path, name] of PAGES) {
            await visit(s, withLang(path, lang), name);
            const h1 = await s.page.locator('h1').textContent();
            assert.ok(h1.trim(), `${path} has a heading`);
          }
          await visit(s, withLang('/nope-xyz', lang), '404', { status: 404 });
          const home = await s.page.locator('main a[href^="/"], header a[href^="/"]').count();
          assert.ok(home > 0, 'the 404 page offers a way back into the site');
          s.check();
        } finally {
          await s.close();
        }
      });
  }
}
