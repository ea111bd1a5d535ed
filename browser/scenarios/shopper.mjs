// A shopper's way through the hosted join: the product page, opening a group, a friend
// joining from the shared link, and a double-click that pays once.
import { api, credit, product } from '../lib/api.mjs';
import { audit } from '../lib/checks.mjs';
import { signedIn } from '../lib/session.mjs';

/** The wallet balance of `user` as the API reports it (a number, major units). */
async function balance(gb, user) {
  return Number((await api(gb, gb.token(user)).get('/api/v1/wallet')).balance);
}

export default {
  title: 'a shopper opens a group and a friend joins from the link',
  async run({ gb, browser, report }) {
    const p = await product(gb, 'alice', { productName: 'Teak desk lamp', groupMaxSize: 5, maxPerCustomer: 2 });
    await credit(gb, 'carol', 1000000);
    await credit(gb, 'oscar', 1000000);
    // Earlier scenarios may have spent from the same wallets: compare with now.
    const [carolBefore, oscarBefore] = [await balance(gb, 'carol'), await balance(gb, 'oscar')];

    const carol = await signedIn(browser, gb, 'carol', `/p/${p.productId}`);
    const page = carol.page;
    report.check('the product page after sign-in', page.url() === `${gb.base}/p/${p.productId}`, page.url());
    report.check('the product page shows the wallet balance', (await page.textContent('main')).includes('Your wallet balance'));
    await audit(report, page, 'product-page', page.consoleErrors);
    const seats = page.getByLabel('Seats');
    await seats.fill('2');
    await Promise.all([page.waitForURL(/\/g\/GP-/), page.click('button:has-text("Open a new group")')]);
    const code = new URL(page.url()).pathname.split('/').pop();
    report.check('opened: on the new group\'s page', /^GP-/.test(code), page.url());
    report.check('opened: the page says so', (await page.textContent('main')).includes('You opened this group'));
    report.check('opened: 2 of 5 seats', (await page.textContent('main')).includes('2 of 5 seats taken'));
    const carolBalance = await balance(gb, 'carol');
    report.check('opened: paid once from the wallet', carolBalance === carolBefore - 2 * 80000, String(carolBalance));
    await audit(report, page, 'group-page-signed-in', page.consoleErrors);
    await carol.context.close();

    // The friend follows the link and presses "Join" twice in a row, fast.
    const oscar = await signedIn(browser, gb, 'oscar', `/g/${code}`);
    const friend = oscar.page;
    await friend.getByLabel('Seats').fill('1');
    const button = friend.locator('button:has-text("Join this group")');
    // Chromium sends a double-clicked form once; a slow network, a second tab or a retry
    // sends it again: the same fields (the same idempotency key) posted twice more as well.
    const form = await friend.$eval('form[action$="/join"]', (f) => ({
      action: f.action, fields: Object.fromEntries(new FormData(f)),
    }));
    const again = () => oscar.context.request.post(form.action, { form: form.fields, maxRedirects: 0 });
    const [, first, second] = await Promise.all([
      // The second click may submit again and abort the first navigation (its answer is
      // the same 303): wait for whichever lands.
      Promise.all([friend.waitForURL(/joined=1/).catch(() => friend.waitForURL(/joined=1/)), button.dblclick()]),
      again(),
      again(),
    ]);
    report.check('the same form sent again: the same answer', first.status() === 303 && second.status() === 303,
      `${first.status()} ${second.status()}`);
    report.check('double-click: joined', (await friend.textContent('main')).includes('You joined this group'));
    const oscarBalance = await balance(gb, 'oscar');
    report.check('double-click: paid once', oscarBalance === oscarBefore - 80000, String(oscarBalance));
    const group = await api(gb, gb.token('oscar')).get(`/api/v1/group-purchases/code/${code}`);
    report.check('double-click: one seat taken', group.seatsOccupied === 3, JSON.stringify(group));
    await audit(report, friend, 'group-page-joined', friend.consoleErrors);
    await oscar.context.close();
  },
};
