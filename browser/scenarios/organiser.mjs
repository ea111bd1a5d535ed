// An organiser compares two vendors' responses side by side and downloads the UBL invoice
// of the settled pool, in the console.
import { api } from '../lib/api.mjs';
import { audit } from '../lib/checks.mjs';
import { signedIn } from '../lib/session.mjs';

const ORGANISER = 'groupbuy:read groupbuy:write procurement:write finance:write';
const at = (seconds) => new Date(Date.now() + seconds * 1000).toISOString();

/** A complete party (as settling needs), named after `name`. */
const party = (name) => ({
  legal_name: `${name} SA`,
  postal_address: { street: 'Rue Haute 1', city: 'Brussels', postal_code: '1000', country: 'BE' },
  vat_id: 'BE0403578495',
  electronic_address: { scheme: '0088', identifier: '5798000012349' },
  contact_email: 'ap@example.com',
  default_vat: { category: 'S', rate: 21 },
});

async function finished(organiser, job) {
  for (let i = 0; i < 100; i += 1) {
    const j = await organiser.get(job);
    if (j.status === 'succeeded' || j.status === 'failed') return j;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${job} did not finish`);
}

export default {
  title: 'an organiser compares vendors and downloads the UBL invoice',
  async run({ gb, browser, report }) {
    const organiser = api(gb, gb.token('oscar', { org: 'org_o', scope: ORGANISER }));
    const pool = await organiser.post('/groupbuy', {
      title: 'Maize flour', target_quantity: 100, min_commitment: 10,
      items: [{ sku: 'BR-1', name: 'Maize flour 25 kg', unit: 'bag' }],
      deadline: at(3600), currency: 'USD', rules: { payment_terms_days: 14 },
    });
    for (const [org, quantity, ceiling] of [['org_a', 60, 10], ['org_b', 40, 12]]) {
      await api(gb, gb.token(`${org}-buyer`, { org })).post(`/groupbuy/${pool.id}/commit`, { quantity, price_ceiling: ceiling });
    }
    const rfq = await fetch(`${gb.base}/groupbuy/${pool.id}/rfq`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gb.token('oscar', { org: 'org_o', scope: ORGANISER })}`, 'content-type': 'application/json', 'idempotency-key': `rfq-${pool.id}` },
      body: JSON.stringify({
        vendors: [{ vendor_id: 'vendor_mills', name: 'Mills & Co' }, { vendor_id: 'vendor_farm', name: 'Farm Direct' }],
        due_date: at(3600),
      }),
    });
    await finished(organiser, rfq.headers.get('location'));
    for (const [vendor, price] of [['vendor_mills', 9.5], ['vendor_farm', 11]]) {
      await api(gb, gb.token(vendor, { roles: ['vendor'] })).post(`/groupbuy/${pool.id}/rfq/responses`, {
        unit_price: price, available_quantity: 100, valid_until: at(7200), lead_time_days: 5,
      });
    }

    const { context, page } = await signedIn(browser, gb, 'oscar', `/console/pools/${pool.id}`);
    const main = await page.textContent('main');
    report.check('the pool page after sign-in', page.url() === `${gb.base}/console/pools/${pool.id}`, page.url());
    report.check('both vendors side by side with their prices',
      main.includes('Mills & Co') && main.includes('Farm Direct') && main.includes('USD 9.50') && main.includes('USD 11.00'));
    const farmRow = await page.locator('tr', { hasText: 'Farm Direct' }).first().textContent();
    report.check("Farm's 11.00: above org_a's ceiling, within org_b's", farmRow.includes('Above') && farmRow.includes('Within'), farmRow);
    await audit(report, page, 'console-pool-quoted', page.consoleErrors);

    const allocation = await fetch(`${gb.base}/groupbuy/${pool.id}/allocate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gb.token('oscar', { org: 'org_o', scope: ORGANISER })}`, 'idempotency-key': `a-${pool.id}` },
    });
    await finished(organiser, allocation.headers.get('location'));
    const admin = api(gb, gb.token('ops', { roles: ['platform-admin'] }));
    for (const path of ['organisations/org_o', 'organisations/org_a', 'organisations/org_b', 'vendors/vendor_mills', 'vendors/vendor_farm']) {
      await admin.put(`/groupbuy/${path}`, party(path.split('/')[1]));
    }
    await organiser.post(`/groupbuy/${pool.id}/settle`);

    await page.reload();
    report.check('the allocation is explained line by line', (await page.textContent('main')).includes('Mills & Co'));
    await audit(report, page, 'console-pool-settled', page.consoleErrors);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a', { hasText: 'UBL invoice (XML)' }).first().click(),
    ]);
    const xml = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    report.check('the UBL download is an invoice document', /^<\?xml/.test(xml) && /<(\w+:)?(Invoice|CreditNote)\b/.test(xml), xml.slice(0, 200));
    report.check('the download is named as a file', download.suggestedFilename().endsWith('.xml'), download.suggestedFilename());
    await context.close();
  },
};
