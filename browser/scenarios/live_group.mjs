// A group filling live: a second browser watches /g/{code} while three joins arrive through
// the API, and sees the seats rise and the group complete without a reload. Then the
// merchant ships the group's orders from the console, one form per order.
import { api, buy, credit, product } from '../lib/api.mjs';
import { audit } from '../lib/checks.mjs';
import { anonymous, signedIn } from '../lib/session.mjs';

const SEATS = 4;

/** Waits until the live-updated `data-live=name` element reads `text`; false after 10 s. */
async function shows(page, name, text) {
  try {
    await page.waitForFunction(
      ([n, t]) => document.querySelector(`[data-live=${n}]`)?.textContent.includes(t),
      [name, text], { timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}

export default {
  title: 'a group fills live while a second browser watches; the merchant ships its orders',
  async run({ gb, browser, report }) {
    const p = await product(gb, 'alice', { productName: 'Walnut stool', groupMaxSize: SEATS, maxPerCustomer: 1 });
    const buyers = ['dee', 'eve', 'fay', 'gus'];
    for (const b of buyers) await credit(gb, b, 500000);
    const opened = await buy(gb, buyers[0], p.productId, 1);
    const code = opened.groupCode;

    const watcher = await anonymous(browser);
    const page = watcher.page;
    await page.goto(`${gb.base}/g/${code}`);
    report.check('watching: 1 seat taken', (await page.textContent('[data-live=seats]')).includes(`1 of ${SEATS}`));
    // Survives only as long as the document: a reload would drop it.
    await page.evaluate(() => { window.sameDocument = true; });
    // The stream's first event (the current state) has arrived once the page is subscribed.
    await page.waitForFunction(() => performance.getEntriesByType('resource')
      .some((r) => r.name.endsWith('/live')), null, { timeout: 10000 }).catch(() => {});

    for (let i = 1; i < SEATS; i += 1) {
      await buy(gb, buyers[i], p.productId, 1, opened.groupInstanceId);
      report.check(`live: ${i + 1} of ${SEATS} seats without a reload`,
        await shows(page, 'seats', `${i + 1} of ${SEATS} seats taken`));
    }
    report.check('live: the group completes on the page', await shows(page, 'status', 'Completed'));
    report.check('live: the participants appear', await shows(page, 'participants', 'gus'));
    report.check('live: the same document all along', await page.evaluate(() => window.sameDocument === true));
    await audit(report, page, 'group-page-completed', page.consoleErrors);
    await watcher.context.close();

    // The merchant ships the four orders of the completed group from the console.
    const merchant = await signedIn(browser, gb, 'alice', `/console/shops/${p.shopId}`);
    const console_ = merchant.page;
    await audit(report, console_, 'console-orders', console_.consoleErrors);
    let shipped = 0;
    let last = '';
    for (let n = 0; n < SEATS; n += 1) {
      const form = console_.locator('form[action$="/ship"]').first();
      if (await form.count() === 0) break;
      await form.locator('input[name=carrier]').fill('DHL');
      await form.locator('input[name=tracking_number]').fill(`TRK-${n}`);
      await Promise.all([console_.waitForNavigation(), form.locator('button[type=submit]').click()]);
      last = `${console_.url()} ${(await console_.textContent('main')).slice(0, 300)}`;
      if (last.includes('Order shipped.')) shipped += 1;
    }
    report.check('console: every order shipped by its form', shipped === SEATS, `${shipped}: ${last}`);
    const orders = await api(gb, gb.token('alice', { roles: ['merchant'] }))
      .get(`/api/v1/shops/${p.shopId}/orders?status=SHIPPED&limit=100`);
    const mine = (orders.items ?? orders).filter((o) => o.groupCode === code || o.groupInstanceId === opened.groupInstanceId);
    report.check('API: the group\'s orders are SHIPPED with their tracking',
      mine.length === SEATS && mine.every((o) => o.status === 'SHIPPED'), JSON.stringify(mine.map((o) => o.status)));
    await merchant.context.close();
  },
};
