// The professional space, as a partner's administrator lives it, in real Chromium: the operator
// creates the first administrator with `relais admin create` (a one-time link); she chooses a
// password, enrols TOTP (the QR code is an inline SVG; the code is computed here, RFC 6238), keeps
// her recovery codes, changes a service's hours and adds a closure, previews the 14 days, saves,
// and the public page shows the closure; a wrong hours expression is refused with its error
// linked to the field; she invites a colleague, whose link arrives as an .eml in the server's
// outbox, and who joins in a second browser. Then every pro page again, signed in with the
// keyboard only, at 360 and 1280 px, in French and in English. Every page visited: the page
// contract of lib.mjs (fr/en switcher), no request off 127.0.0.1, no CSP or console error, no axe
// (WCAG 2.1 A/AA) violation, a screenshot `pro-*.png`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { after, before, test } from 'node:test';
import { BASE_URL, COMMUNE, LANGS, WIDTHS, arrived, launch, newPage, visit, withLang } from '../lib.mjs';
import { enterAndWait, skipToContent, tabTo } from '../journey.mjs';

const BIN = process.env.RELAIS_BIN;
const DATABASE_URL = process.env.E2E_DATABASE_URL;
const OUTBOX = process.env.E2E_OUTBOX;
const SKIP = BIN && DATABASE_URL && OUTBOX
  ? false
  : 'needs RELAIS_BIN, E2E_DATABASE_URL and E2E_OUTBOX (exported by run.sh)';

/** The professional pages exist in French and English only. */
const PRO_LANGS = ['fr', 'en'];
/** Unique per run, so that a reused database (E2E_DATABASE_URL) does not refuse the addresses. */
const RUN = Date.now().toString(36);
const PASSWORD = 'une longue phrase de passe pour le relais';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

// --- TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, base32 secret) ------------------------

/** RFC 4648 base32 (upper or lower case, spaces and padding ignored) to bytes. */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The 6-digit code of `secret` for the 30-second `step` (RFC 4226 dynamic truncation). */
export function totpAt(secret, step, digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 10 ** digits).padStart(digits, '0');
}

const stepNow = () => Math.floor(Date.now() / 30_000);

/**
 * A code the server will take: it accepts the previous, current and next step and refuses a
 * step already used, so the current step, or the next one when the current one has served
 * (waiting for the clock when even that one has).
 */
async function freshCode(person) {
  for (;;) {
    const now = stepNow();
    const step = Math.max(now, (person.lastStep ?? -Infinity) + 1);
    if (step <= now + 1) {
      person.lastStep = step;
      return totpAt(person.secret, step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// --- The server's side: CLI, API, outbox ---------------------------------------------------------

function relais(...args) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

async function json(path) {
  const r = await fetch(BASE_URL + path);
  assert.equal(r.status, 200, `GET ${path}`);
  return r.json();
}

/** Text of an .eml (its body decoded when lettre fell back to quoted-printable or base64). */
function readEml(path) {
  const raw = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
  const cut = raw.indexOf('\n\n');
  const head = raw.slice(0, cut);
  let body = raw.slice(cut + 2);
  if (/^Content-Transfer-Encoding:\s*quoted-printable/im.test(head)) {
    body = Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  if (/^Content-Transfer-Encoding:\s*base64/im.test(head)) body = Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  return { head, body };
}

/** The link of the newest mail of the outbox addressed to `email` (waits for it: mails go out in the background). */
async function linkFromOutbox(email, since) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = existsSync(OUTBOX)
      ? readdirSync(OUTBOX).filter((f) => f.endsWith('.eml')).map((f) => joinPath(OUTBOX, f))
        .map((p) => ({ p, t: statSync(p).mtimeMs })).filter((m) => m.t >= since).sort((a, b) => b.t - a.t)
      : [];
    for (const { p } of mails) {
      const { head, body } = readEml(p);
      if (!new RegExp(`^To:.*${email.replace(/[.+]/g, '\\$&')}`, 'im').test(head)) continue;
      const m = body.match(/(https?:\/\/\S+)?(\/pro\/lien\/[A-Za-z0-9_-]+)/);
      assert.ok(m, `a /pro/lien/ link in ${p}:\n${body}`);
      assert.equal(m[1] ? new URL(m[1] + m[2]).origin : BASE_URL, BASE_URL, `the link in ${p} points at the server (--public-url)`);
      return { path: m[2], file: p, body };
    }
    if (Date.now() > deadline) assert.fail(`no mail to ${email} in ${OUTBOX} after 15 s (${mails.length} recent .eml)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// --- Browser helpers -------------------------------------------------------------------------------

/** Clicks (or presses Enter on) something that submits a form and waits for the page that answers; returns its status. */
async function submit(s, locator) {
  await Promise.all([s.page.waitForEvent('load'), locator.click()]);
  return s.page.evaluate(() => performance.getEntriesByType('navigation')[0]?.responseStatus);
}

const text = (s, selector) => s.page.locator(selector).first().innerText().then((t) => t.replace(/\s+/g, ' ').trim());

/** Today in Paris, as YYYY-MM-DD, plus `days`. */
function parisDay(days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}
const iso = (d) => d.toISOString().slice(0, 10);

/**
 * Follows a set-up or invitation link: the link page (a too-short password first when
 * `tryShort`), the password, the TOTP enrolment (QR code checked, code computed here), the
 * recovery codes, then « Continuer » into the space. Returns the partner space's path.
 */
async function join(s, person, linkPath, { tryShort = false, prefix = '' } = {}) {
  await visit(s, withLang(linkPath, s.lang), `${prefix}link`);
  assert.ok((await text(s, 'main')).includes(person.email), 'the link page names the account');
  if (tryShort) {
    await s.page.locator('#password').fill('court');
    await s.page.locator('#confirm').fill('court');
    // The browser's own check (minlength) would stop the form: this is the server's answer.
    await s.page.evaluate(() => document.querySelector('main form').setAttribute('novalidate', ''));
    const st = await submit(s, s.page.locator('main form button[type=submit]'));
    assert.equal(st, 422, 'a short password is refused');
    await arrived(s, `${prefix}link-error`);
    assert.equal(await s.page.locator('#password').getAttribute('aria-invalid'), 'true');
    assert.match(await s.page.locator('#password').getAttribute('aria-describedby'), /erreur-mot-de-passe/);
    assert.match(await text(s, '#erreur-mot-de-passe'), /12/);
  }
  await s.page.locator('#password').fill(person.password);
  await s.page.locator('#confirm').fill(person.password);
  await submit(s, s.page.locator('main form button[type=submit]'));
  assert.equal(new URL(s.page.url()).pathname, '/pro/2fa', 'after the password: the TOTP enrolment');
  await arrived(s, `${prefix}enrol`);

  // The QR code: an inline <svg>, visible, an image with a name; not wider than the screen.
  const qr = s.page.locator('main .qr > svg');
  assert.equal(await qr.count(), 1, 'the QR code is an inline <svg>');
  assert.ok(await qr.isVisible(), 'the QR code is visible');
  const label = await qr.getAttribute('aria-label');
  assert.equal(await qr.getAttribute('role'), 'img');
  assert.ok(label && label.trim().length > 10, `the QR code has an accessible name (${label})`);
  assert.equal(await s.page.getByRole('img', { name: label }).count(), 1, 'the QR code is exposed as an image with its name');
  const box = await qr.boundingBox();
  s.qrSizes = [...(s.qrSizes || []), `${s.lang} ${s.width}px: ${Math.round(box.width)}×${Math.round(box.height)}`];
  assert.ok(box.width >= 120, `the QR code is big enough to scan (${box.width}px)`);
  assert.ok(box.x + box.width <= s.width, 'the QR code fits the screen');

  person.secret = await s.page.locator('input[type=hidden][name=secret]').getAttribute('value');
  assert.match(person.secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret');
  assert.equal((await text(s, '#secret')).replace(/\s/g, ''), person.secret, 'the key to type by hand is the same secret');
  await s.page.locator('#code').fill(await freshCode(person));
  assert.equal(await submit(s, s.page.locator('main form button[type=submit]')), 200);
  await arrived(s, `${prefix}recovery-codes`);
  person.codes = await s.page.locator('#codes-secours li code').allInnerTexts();
  assert.equal(person.codes.length, 10, 'ten recovery codes');
  assert.equal(new Set(person.codes).size, 10, 'all different');

  await Promise.all([s.page.waitForURL((u) => new RegExp(`^/pro/p/${UUID}$`).test(u.pathname)), s.page.locator('main a.button[href="/pro"]').click()]);
  await arrived(s, `${prefix}dashboard`);
  return new URL(s.page.url()).pathname;
}

/** The rows of the 14-day table: label, and whether the day is already closed or a holiday. */
function previewDays(s) {
  return s.page.$$eval('#apercu tbody tr', (rows) => rows.map((r) => {
    const td = r.querySelector('td');
    return {
      label: r.querySelector('th').textContent.replace(/\s+/g, ' ').trim(),
      text: td.textContent.replace(/\s+/g, ' ').trim(),
      closed: !!td.querySelector('span[lang]:not(.comment)'),
      holiday: td.textContent.includes('—'),
      today: r.classList.contains('today'),
    };
  }));
}

// --- The story -------------------------------------------------------------------------------------

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const admin = { email: `claire.${RUN}@example.org`, password: PASSWORD };
const story = {};

/**
 * Sideways scrolling (WCAG 1.4.10 reflow) is collected across the stories and asserted once, by
 * the last test of this file, page by page: one report instead of a story stopped at its first
 * wide page. (Tables scroll inside their own focusable region, which is allowed.)
 */
const reflow = [];
function check(s) {
  const sideways = s.problems.filter((p) => p.startsWith('horizontal scrolling on '));
  reflow.push(...sideways.map((p) => `${s.journey} ${s.lang}: ${p}`));
  s.problems = s.problems.filter((p) => !sideways.includes(p));
  s.check();
}

test('TOTP computed in Node matches RFC 6238 (SHA-1 test vectors, 6 digits)', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
  assert.equal(base32Decode(secret).toString(), '12345678901234567890');
  for (const [t, code] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [20000000000, '65353130']]) {
    assert.equal(totpAt(secret, Math.floor(t / 30), 8), code, `T=${t}`);
  }
  assert.equal(totpAt(secret, 1), '287082');
});

test('operator: relais admin create makes the first administrator of a partner keeping a demo structure and prints a one-time link',
  { skip: SKIP, timeout: 60_000 }, async () => {
    // The JSON API gives each service its structure (`structure.id`).
    const found = await json(`/api/v1/services?commune=${encodeURIComponent(COMMUNE)}`);
    const items = found.items || found.results || found.services || found;
    assert.ok(Array.isArray(items) && items.length > 0, `services in ${COMMUNE}: ${JSON.stringify(found).slice(0, 300)}`);
    const first = items.find((i) => i.structure?.id);
    assert.ok(first, `a service with structure.id: ${JSON.stringify(items[0]).slice(0, 300)}`);
    story.service = { id: first.id, name: first.name ?? first.nom, structure: first.structure.id, structureName: first.structure.name };
    const view = await json(`/api/v1/services/${first.id}`);
    assert.equal(view.structure?.id, story.service.structure, 'the service view names the same structure');

    const out = relais('admin', 'create', '--email', admin.email, '--partner', `Point-justice e2e ${RUN}`,
      '--structure', story.service.structure, '--public-url', BASE_URL, '--database-url', DATABASE_URL);
    const link = out.trim().split('\n').pop().trim();
    assert.match(link, new RegExp(`^${BASE_URL.replace(/[.]/g, '\\.')}/pro/lien/[A-Za-z0-9_-]{20,}$`), `the last line is the link: ${out}`);
    story.setupLink = new URL(link).pathname;
  });

test('fr: the administrator sets up her account (1280 px), edits hours and a closure, previews, saves, sees it in public; wrong hours are refused; she invites a colleague who joins (360 px)',
  { skip: SKIP, timeout: 300_000 }, async (t) => {
    assert.ok(story.setupLink, 'the set-up link of the previous test');
    const s = await newPage(browser, { lang: 'fr', width: 1280, journey: 'pro-story', langs: PRO_LANGS });
    let s2;
    try {
      // 2. Link → password (a short one refused first) → TOTP → recovery codes → the space.
      story.space = await join(s, admin, story.setupLink, { tryShort: true });
      story.pid = story.space.split('/').pop();
      const again = await s.page.request.get(BASE_URL + story.setupLink);
      assert.equal(again.status(), 410, 'the set-up link works once');

      // 3. The service: hours and a closure, preview, save, public page.
      const edit = `${story.space}/services/${story.service.id}`;
      const link = s.page.locator(`#services a[href="${edit}"]`);
      assert.equal(await link.count(), 1, `the dashboard lists ${story.service.name}`);
      await Promise.all([s.page.waitForURL((u) => u.pathname === edit), link.click()]);
      await arrived(s, 'service-edit');
      const days = await previewDays(s);
      assert.equal(days.length, 14, 'the 14 coming days');
      assert.ok(days[0].today, 'the first row is today');
      // A weekday of the next two weeks not already closed (nor a public holiday): the closure.
      const i = [...days.keys()].find((k) => k >= 2 && !days[k].closed && !days[k].holiday && ![0, 6].includes(parisDay(k).getUTCDay()));
      assert.ok(i !== undefined, `a free weekday in the 14 days: ${JSON.stringify(days)}`);
      const day = parisDay(i);
      assert.ok(days[i].label.includes(String(day.getUTCDate())), `row ${i} is ${iso(day)} (${days[i].label})`);
      const n = (await s.page.locator('fieldset.closure').count()) - 1;
      for (const f of ['from', 'to', 'reason']) {
        assert.equal(await s.page.locator(`#closure-${n}-${f}`).inputValue(), '', `the last closure row (${n}) is empty`);
      }
      const hours = 'Mo-Fr 09:30-12:30,14:00-17:00; PH off';
      const reason = 'Formation de l’équipe';
      await s.page.locator('#hours').fill(hours);
      await s.page.locator(`#closure-${n}-from`).fill(iso(day));
      await s.page.locator(`#closure-${n}-reason`).fill(reason);
      assert.equal(await submit(s, s.page.getByRole('button', { name: 'Prévisualiser' })), 200);
      await arrived(s, 'service-preview');
      const shown = await previewDays(s);
      assert.ok(shown[i].text.includes(reason), `the preview names the closure on ${days[i].label}: ${shown[i].text}`);
      assert.ok(shown[i].closed, 'that day is closed in the preview');
      const open = shown.findIndex((d, k) => k !== i && !d.closed && !d.holiday && ![0, 6].includes(parisDay(k).getUTCDay()));
      if (open >= 0) assert.match(shown[open].text, /9\s*h\s*30/, `the new hours in the preview (${shown[open].label}: ${shown[open].text})`);
      assert.equal(await s.page.locator('#hours').inputValue(), hours, 'the preview keeps what was typed');

      await submit(s, s.page.getByRole('button', { name: 'Enregistrer', exact: true }));
      assert.equal(new URL(s.page.url()).pathname, edit);
      assert.ok(await s.page.locator('#enregistre').isVisible(), 'the notice #enregistre');
      await arrived(s, 'service-saved');
      assert.equal(await s.page.locator('#hours').inputValue(), hours, 'the stored hours');

      const pub = s.page.locator(`main a[href="/services/${story.service.id}"]`);
      s.langs = LANGS; // the public page keeps the public contract (fr, en, ar)
      await Promise.all([s.page.waitForURL((u) => u.pathname === `/services/${story.service.id}`), pub.click()]);
      await arrived(s, 'public-service');
      s.langs = PRO_LANGS;
      assert.ok((await text(s, 'main')).includes(reason), `the public page shows the closure « ${reason} »`);

      // 5. A wrong expression: the summary links to the field, aria-invalid, the wrong part marked.
      await visit(s, edit, 'service-edit-again');
      await s.page.locator('#hours').fill('Mo-Fr 09h00-12h00');
      assert.equal(await submit(s, s.page.getByRole('button', { name: 'Enregistrer', exact: true })), 422);
      await arrived(s, 'service-errors');
      const summary = s.page.locator('#erreurs');
      assert.ok(await summary.isVisible(), 'the error summary');
      assert.equal(await summary.getAttribute('role'), 'alert');
      const toField = summary.locator('a[href="#hours"]');
      assert.equal(await toField.count(), 1, 'the summary links to the hours field');
      assert.match(await toField.innerText(), /caractère 7/);
      const area = s.page.locator('#hours');
      assert.equal(await area.getAttribute('aria-invalid'), 'true');
      assert.match(await area.getAttribute('aria-describedby'), /hours-erreur/);
      assert.equal(await s.page.locator('.hours-mark mark').innerText(), '09h00-12h00', 'the wrong part is highlighted');
      assert.ok(await s.page.locator('.hours-mark mark').isVisible());
      await toField.click();
      assert.equal(await s.page.evaluate(() => document.activeElement?.id), 'hours', 'the summary link puts the focus in the field');
      await visit(s, edit, 'service-edit-unchanged');
      assert.equal(await s.page.locator('#hours').inputValue(), hours, 'nothing was written');

      // 4. Members: invite a colleague (professional); the mail is an .eml in the outbox.
      const members = s.page.locator('nav.pro-nav a[href$="/membres"]');
      await Promise.all([s.page.waitForURL((u) => u.pathname.endsWith('/membres')), members.click()]);
      await arrived(s, 'members');
      const colleague = { email: `karim.${RUN}@example.org`, password: 'un autre mot de passe bien long' };
      const since = Date.now() - 1000;
      await s.page.locator('#invite-email').fill(colleague.email);
      await s.page.locator('#invite-role').selectOption('professional');
      await submit(s, s.page.getByRole('button', { name: 'Envoyer l’invitation' }));
      await arrived(s, 'members-invited');
      assert.match(await text(s, '#membres'), new RegExp(colleague.email.replace(/\./g, '\\.')));
      const mail = await linkFromOutbox(colleague.email, since);
      t.diagnostic(`invitation: ${mail.file}`);

      s2 = await newPage(browser, { lang: 'fr', width: 360, journey: 'pro-story', langs: PRO_LANGS });
      const space2 = await join(s2, colleague, mail.path, { prefix: 'colleague-' });
      assert.equal(space2, story.space, 'the colleague lands in the same partner space');
      assert.equal(await s2.page.locator('nav.pro-nav a[href$="/membres"]').count(), 0, 'a professional does not manage members');
      assert.equal(await s2.page.locator(`#services a[href="${edit}"]`).count(), 1, 'the colleague sees the service');
      story.qr = [...(s.qrSizes || []), ...(s2.qrSizes || [])];
      check(s);
      check(s2);
    } finally {
      await s.close();
      await s2?.close();
    }
  });

// 6. Every pro page, in each width, in French and in English: signed in by keyboard only.
for (const lang of PRO_LANGS) {
  for (const width of WIDTHS) {
    test(`${lang} ${width}px: sign in with the keyboard only, then every pro page (services, edit with preview and errors, members, tokens, journal) and an invited member's link, enrolment and codes`,
      { skip: SKIP, timeout: 300_000 }, async (t) => {
        assert.ok(story.space && admin.secret, 'the administrator of the story');
        const s = await newPage(browser, { lang, width, journey: 'pro', langs: PRO_LANGS });
        let s2;
        try {
          await visit(s, withLang('/pro/mot-de-passe-oublie', lang), 'forgot');
          await visit(s, withLang('/pro', lang), 'sign-in'); // /pro sends to the sign-in page
          assert.equal(new URL(s.page.url()).pathname, '/pro/connexion');
          assert.match(await text(s, 'h1'), lang === 'en' ? /Sign in/ : /Se connecter/);

          // Keyboard only: Tab, typing, Enter.
          await skipToContent(s);
          await tabTo(s, '#email');
          await s.page.keyboard.type(admin.email);
          await tabTo(s, '#password', 1);
          await s.page.keyboard.type(admin.password);
          await enterAndWait(s, (u) => u.pathname === '/pro/connexion/code');
          await arrived(s, 'code');
          await tabTo(s, '#code');
          // One pass with a recovery code, the others with the authenticator's code.
          const code = lang === 'en' && width === 360 ? admin.codes.pop() : await freshCode(admin);
          await s.page.keyboard.type(code);
          await enterAndWait(s, (u) => u.pathname === story.space);
          await arrived(s, 'dashboard');
          assert.equal(await s.page.locator('header form[action="/pro/deconnexion"]').count(), 1, 'signed in');

          // « Mon compte » (/pro/compte): the partners, recovery codes left, sign out everywhere.
          const account = s.page.locator('nav.pro-nav a[href="/pro/compte"]');
          await Promise.all([s.page.waitForURL((u) => u.pathname === '/pro/compte'), account.click()]);
          await arrived(s, 'account');
          assert.equal(await s.page.locator('form[action="/pro/deconnexion-partout"]').count(), 1, 'sign out everywhere is there');

          const edit = `${story.space}/services/${story.service.id}`;
          await visit(s, edit, 'service-edit');
          assert.equal(await submit(s, s.page.locator('button[name=action][value=preview]')), 200);
          await arrived(s, 'service-preview');
          assert.equal((await previewDays(s)).length, 14);
          await s.page.locator('#hours').fill('Mo-Fr 09h00-12h00');
          assert.equal(await submit(s, s.page.locator('button[name=action][value=save]')), 422);
          await arrived(s, 'service-errors');
          assert.ok(await s.page.locator('#erreurs a[href="#hours"]').isVisible());

          await visit(s, `${story.space}/membres`, 'members');
          const invited = { email: `membre.${lang}${width}.${RUN}@example.org`, password: `phrase de passe ${lang} ${width} du relais` };
          const since = Date.now() - 1000;
          await s.page.locator('#invite-email').fill(invited.email);
          await s.page.locator('#invite-role').selectOption(width === 360 ? 'lawyer' : 'professional');
          await submit(s, s.page.locator('main form[aria-labelledby="inviter-titre"] button[type=submit]'));
          await arrived(s, 'members-invited');
          const mail = await linkFromOutbox(invited.email, since);

          await visit(s, `${story.space}/jetons`, 'tokens');
          await s.page.locator('#token-name').fill(`Logiciel ${lang} ${width}`);
          await s.page.locator('#token-scope').selectOption('services:read');
          assert.equal(await submit(s, s.page.locator('main form[aria-labelledby="jeton-titre"] button[type=submit]')), 201);
          await arrived(s, 'tokens-created');
          assert.match(await text(s, '#nouveau-jeton'), /\S{20,}/, 'the new token is shown once');

          await visit(s, `${story.space}/journal`, 'journal');
          assert.match(await text(s, '#journal'), /service\.update/, 'the journal lists the change of the story');

          // The invited member, in a second browser of the same width and language.
          s2 = await newPage(browser, { lang, width, journey: 'pro', langs: PRO_LANGS });
          await join(s2, invited, mail.path, { prefix: 'invited-', tryShort: true });

          // Sign out.
          await submit(s, s.page.locator('header form[action="/pro/deconnexion"] button'));
          const gone = await s.page.request.get(BASE_URL + story.space, { maxRedirects: 0 });
          assert.equal(gone.status(), 303, 'signed out: the space sends to the sign-in page');
          story.qr = [...(story.qr || []), ...(s2.qrSizes || [])];
          t.diagnostic(`QR code sizes: ${story.qr.join('; ')}`);
          check(s);
          check(s2);
        } finally {
          await s.close();
          await s2?.close();
        }
      });
  }
}

test('reflow: no pro page scrolls sideways, at 360 px nor 1280 px (WCAG 1.4.10)', {
  skip: SKIP,
}, () => {
  if (reflow.length > 0) assert.fail(`${reflow.length} page(s) wider than the window:\n  ${reflow.join('\n  ')}`);
});
