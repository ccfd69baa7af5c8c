// Keyboard only: no mouse, no click. Tab to move, type, Enter to follow. The skip link comes
// first and leads to the content, every focused element shows it has the focus, and nothing traps
// the focus. The language is chosen with the switcher, by keyboard too.

import { after, before, test } from 'node:test';
import { COMMUNE, LANGS, WIDTHS, launch, newPage } from '../lib.mjs';
import { keyboardSearchAndOpen } from '../journey.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const lang of LANGS) {
  for (const width of WIDTHS) {
    test(`keyboard only, ${lang} ${width}px: choose the language, search ${COMMUNE} and open a result with Tab, typing and Enter`,
      { timeout: 180_000 }, async () => {
        const s = await newPage(browser, { lang: 'fr', width, journey: 'keyboard' });
        try {
          await keyboardSearchAndOpen(s, COMMUNE, lang);
          s.check();
        } finally {
          await s.close();
        }
      });
  }
}
