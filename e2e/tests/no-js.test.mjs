// The same journey with JavaScript disabled: the pages are plain HTML forms and links, so a
// person whose browser runs no script (or an old phone) can still search, open and print.

import { after, before, test } from 'node:test';
import { COMMUNE, LANGS, WIDTHS, launch, newPage, withLang } from '../lib.mjs';
import { searchOpenAndPrint } from '../journey.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const lang of LANGS) {
  for (const width of WIDTHS) {
    test(`no JavaScript, ${lang} ${width}px: search ${COMMUNE}, open a service, see today and the next 7 days, print it on one A4 page`,
      { timeout: 180_000 }, async () => {
        const s = await newPage(browser, { lang, width, js: false, journey: 'nojs' });
        try {
          await searchOpenAndPrint(s, COMMUNE, withLang('/', lang));
          s.check();
        } finally {
          await s.close();
        }
      });
  }
}
