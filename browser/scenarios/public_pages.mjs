// The pages a shared link opens, signed out, with JavaScript off and on: a group, a
// campaign, a handle's campaigns, the 404 page; their link previews as a chat app reads them.
import { api, buy, credit, product } from '../lib/api.mjs';
import { audit, preview } from '../lib/checks.mjs';
import { anonymous } from '../lib/session.mjs';

export const HANDLE = 'alice-lamps';

/** A published campaign of alice's handle: `{handle, slug}`. */
export async function publishedCampaign(gb, slug, thresholds = { minParticipants: 2 }) {
  const alice = api(gb, gb.token('alice', { roles: ['merchant'] }));
  try {
    await alice.post('/v2/handles', { handle: HANDLE, displayName: 'Alice Lamps' });
  } catch (e) {
    if (!String(e).includes(' 409 ')) throw e;
  }
  const closesAt = new Date(Date.now() + 7 * 86400e3).toISOString();
  await alice.post(`/v2/handles/${HANDLE}/group-buys`, {
    slug, title: 'Teak lamps', description: 'Hand-made teak lamps, shipped in March.',
    unitPrice: 45000.5, currency: 'TZS', thresholds, closesAt,
  });
  await alice.post(`/v2/handles/${HANDLE}/group-buys/${slug}/publish`);
  return { handle: HANDLE, slug };
}

export default {
  title: 'public pages by link',
  async run({ gb, browser, report }) {
    const p = await product(gb, 'alice');
    await credit(gb, 'carol', 500000);
    const paid = await buy(gb, 'carol', p.productId, 1);
    const code = paid.groupCode;
    report.check('a group was opened through the API', /^GP-/.test(code ?? ''), JSON.stringify(paid));

    const html = await (await fetch(`${gb.base}/g/${code}`)).text();
    const card = preview(html);
    report.check('group link preview: title is the product', card.title === 'Premium Wireless Headphones', card.title);
    report.check('group link preview: seats and time left', /^1 of 4 seats, \d+ h left$/.test(card.description ?? ''), card.description);
    report.check('group link preview: the product image', card.image === 'https://img.example/headphones.jpg', card.image);
    report.check('group link preview: canonical URL', card.url === `${gb.base}/g/${code}`, card.url);

    for (const javaScript of [false, true]) {
      const { context, page } = await anonymous(browser, { javaScript });
      const label = javaScript ? 'with JavaScript' : 'without JavaScript';
      const response = await page.goto(`${gb.base}/g/${code}`);
      report.check(`group page ${label}: 200`, response.status() === 200, response.status());
      report.check(`group page ${label}: the heading is the product`, (await page.textContent('h1'))?.trim() === 'Premium Wireless Headphones');
      report.check(`group page ${label}: seats shown`, (await page.textContent('main')).includes('1 of 4 seats taken'));
      const jsonLd = JSON.parse(await page.textContent('script[type="application/ld+json"]'));
      report.check(`group page ${label}: schema.org Offer with the group price`, jsonLd.offers?.price === '80000.00' || Number(jsonLd.offers?.price) === 80000, JSON.stringify(jsonLd.offers));
      if (javaScript) await audit(report, page, 'group-page', page.consoleErrors);
      await context.close();
    }

    const { context, page } = await anonymous(browser);
    const missing = await page.goto(`${gb.base}/g/GP-NOPE00`);
    report.check('unknown group: the 404 page', missing.status() === 404 && (await page.textContent('h1')).includes('not found'));
    await audit(report, page, 'not-found', page.consoleErrors, { expectedStatus: 404 });

    const { handle, slug } = await publishedCampaign(gb, 'teak-lamps');
    const list = await page.goto(`${gb.base}/c/${handle}`);
    report.check('handle page lists the published campaign', list.status() === 200 && (await page.textContent('main')).includes('Teak lamps'));
    await audit(report, page, 'handle-page', page.consoleErrors);
    await page.click('text=Teak lamps');
    report.check('campaign page reached by its link', page.url() === `${gb.base}/c/${handle}/${slug}`, page.url());
    report.check('campaign page shows progress toward the threshold', (await page.textContent('main')).includes('0 of 2 participants'));
    await audit(report, page, 'campaign-page', page.consoleErrors);
    await context.close();
  },
};
