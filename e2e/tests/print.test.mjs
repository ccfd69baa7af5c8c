// Printing: a worker prints a service's page for the person in front of them. Whatever the
// service (hours, closures, contacts, conditions), it must fit on one A4 sheet. Every service
// found in the commune is printed, in each language.

import { after, before, test } from 'node:test';
import { COMMUNE, LANGS, assertAllTranslated, assertFitsWidth, assertPageContract, axeCheck, launch, newPage, visit, withLang } from '../lib.mjs';
import { assertResults, assertService, assertPrintsOnOnePage } from '../journey.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const lang of LANGS) {
  test(`${lang}: every service found in ${COMMUNE} prints on one A4 page`, { timeout: 300_000 }, async () => {
    const s = await newPage(browser, { lang, width: 1280, journey: 'print' });
    try {
      await visit(s, withLang(`/services?commune=${encodeURIComponent(COMMUNE)}`, lang), 'results');
      await assertResults(s, COMMUNE);
      const links = await s.page.locator('ol#resultats > li.result h2 > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const [i, href] of links.entries()) {
        const n = String(i + 1).padStart(2, '0');
        await s.page.goto(new URL(href, s.page.url()).href);
        await assertPageContract(s.page, lang);
        await assertFitsWidth(s, `service-${n}`);
        await assertAllTranslated(s, `service-${n}`);
        await axeCheck(s, `service-${n}`);
        await assertService(s);
        const before = s.problems.length;
        s.journey = `print-${n}`;
        await assertPrintsOnOnePage(s);
        s.journey = 'print';
        if (s.problems.length > before) await s.shot(`service-${n}`);
      }
      s.check();
    } finally {
      await s.close();
    }
  });
}
