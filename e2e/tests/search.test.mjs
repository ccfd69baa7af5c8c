// A person looks for help near them: they search by commune, read the results, open a service,
// see whether it is open today and in the next 7 days, and print it — in French, English and
// Arabic, on a 360 px phone and a 1280 px screen.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { COMMUNE, LANGS, WIDTHS, arrived, launch, newPage, visit, withLang } from '../lib.mjs';
import { assertResults, searchOpenAndPrint } from '../journey.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const story = (name, opts, body) => test(name, { timeout: 180_000 }, async () => {
  const s = await newPage(browser, opts);
  try {
    await body(s);
    s.check();
  } finally {
    await s.close();
  }
});

for (const lang of LANGS) {
  for (const width of WIDTHS) {
    story(`${lang} ${width}px: search ${COMMUNE}, open a service, see today and the next 7 days, print it on one A4 page`,
      { lang, width, journey: 'search' },
      (s) => searchOpenAndPrint(s, COMMUNE, withLang('/', lang)));

    story(`${lang} ${width}px: a search that finds nothing says so and offers wider searches`,
      { lang, width, journey: 'empty' },
      async (s) => {
        await visit(s, withLang(`/services?commune=${encodeURIComponent(COMMUNE)}&q=zzxqvw`, lang), 'results');
        const links = await s.page.locator('#aucun-resultat a[href]').count();
        assert.ok(links > 0, '<div id="aucun-resultat"> with links to widen the search');
        assert.equal(await s.page.locator('ol#resultats > li.result').count(), 0, 'no result listed');
      });
  }
}

for (const width of WIDTHS) {
  story(`fr ${width}px: a quick link of the home page leads to a search`,
    { lang: 'fr', width, journey: 'shortcut' },
    async (s) => {
      await visit(s, '/', 'home');
      const link = s.page.locator('ul.raccourcis a[href]').first();
      const href = await link.getAttribute('href');
      await Promise.all([s.page.waitForURL((u) => u.pathname + u.search !== '/'), link.click()]);
      await arrived(s, 'results');
      const found = await s.page.locator('ol#resultats > li.result, #aucun-resultat').count();
      assert.ok(found > 0, `the quick link ${href} shows results or says nothing matched`);
    });

  story(`fr → ar ${width}px: switching language on the results keeps the search, and the choice is remembered`,
    { lang: 'fr', width, journey: 'switch' },
    async (s) => {
      const search = `/services?commune=${encodeURIComponent(COMMUNE)}`;
      await visit(s, search, 'results');
      await Promise.all([
        s.page.waitForURL((u) => u.searchParams.get('lang') === 'ar'),
        s.page.locator('nav.langues a[hreflang="ar"]').click(),
      ]);
      s.lang = 'ar';
      await arrived(s, 'results');
      await assertResults(s, COMMUNE);
      // Without ?lang= the cookie keeps Arabic.
      await visit(s, search, 'results-again');
      await assertResults(s, COMMUNE);
      const cookie = (await s.context.cookies()).find((c) => c.name === 'lang');
      assert.equal(cookie?.value, 'ar', 'a cookie lang=ar remembers the choice');
    });
}
