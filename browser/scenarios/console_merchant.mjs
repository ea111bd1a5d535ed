// A merchant's console in a browser, without JavaScript needed: a shop, a product, a
// campaign (a refused close names the unmet threshold), a webhook endpoint whose secret
// is shown once; every page held to axe, the keyboard and the CSP.
import { audit } from '../lib/checks.mjs';
import { anonymous, signedIn } from '../lib/session.mjs';

/** Sends the form holding `button` and waits for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}

export default {
  title: "a merchant's console: shop, product, campaign, webhook",
  async run({ gb, browser, report }) {
    const { context, page } = await signedIn(browser, gb, 'alice', '/console/shops');
    await audit(report, page, 'console-shops', page.consoleErrors);
    await page.fill('#shop_name', 'Alice Lamps');
    await submit(page, 'form[action="/console/shops"] button[type=submit]');
    report.check('console: the new shop page says it was created', (await page.textContent('main')).includes('Shop created.'));
    await audit(report, page, 'console-shop', page.consoleErrors);

    await page.fill('#product_name', 'Teak lamp');
    await page.fill('#regular_price', '150000');
    await page.fill('#group_price', '80000');
    await page.fill('#stock_quantity', '20');
    await page.fill('#group_max_size', '3');
    await page.fill('#group_time_limit_hours', '24');
    await submit(page, 'form[action$="/products"] button[type=submit]');
    report.check('console: the product page opens', (await page.textContent('h1')).includes('Teak lamp'));
    await audit(report, page, 'console-product', page.consoleErrors);

    await page.goto(`${gb.base}/console/campaigns`);
    await audit(report, page, 'console-campaigns', page.consoleErrors);
    await page.fill('#new_handle', 'alice-console');
    await page.fill('#display_name', 'Alice Console');
    await submit(page, 'form[method=post][action="/console/campaigns"] button[type=submit]');
    await page.fill('#slug', 'lamps');
    await page.fill('#title', 'Teak lamps');
    await page.fill('#unit_price', '45000');
    await page.fill('#min_participants', '1');
    await page.fill('#closes_at', new Date(Date.now() + 7 * 86400e3).toISOString());
    await submit(page, 'form[action="/console/campaigns/alice-console"] button[type=submit]');
    await audit(report, page, 'console-campaign', page.consoleErrors);
    await page.fill('#edit_title', 'Teak lamps, hand-made');
    await page.fill('#edit_unit_price', '42000');
    await submit(page, 'form[action$="/edit"] button[type=submit]');
    report.check('console: the draft is edited', (await page.textContent('main')).includes('Draft saved.')
      && (await page.textContent('h1')).includes('Teak lamps, hand-made'));
    await submit(page, 'button:has-text("Publish")');
    report.check('console: a published campaign has no edit form', await page.locator('form[action$="/edit"]').count() === 0);
    report.check('console: the campaign is published', (await page.textContent('main')).includes('Open: taking interest'));
    await submit(page, 'button:has-text("Close")');
    report.check('console: a close before the threshold names it',
      (await page.textContent('main')).includes('participants 0/1'), await page.textContent('main'));
    await audit(report, page, 'console-refusal', page.consoleErrors, { expectedStatus: 409 });

    // The public registers interest while the console page stays open: its counts rise
    // without a reload (the public page's own event stream), and then the close succeeds.
    const campaign = `${gb.base}/console/campaigns/alice-console/lamps`;
    await page.goto(campaign);
    await page.evaluate(() => { window.sameDocument = true; });
    report.check('console: no interest yet', (await page.textContent('[data-live=counts]')).includes('0 participants'));
    const counts = async (text) => page.waitForFunction(
      (t) => document.querySelector('[data-live=counts]')?.textContent.includes(t), text, { timeout: 10000 })
      .then(() => true, () => false);
    for (const [javaScript, quantity, expected] of [[false, '2', '1 participant, 2 units'], [true, '1', '2 participants, 3 units']]) {
      const visitor = await anonymous(browser, { javaScript });
      await visitor.page.goto(`${gb.base}/c/alice-console/lamps`);
      await visitor.page.getByLabel('How many').fill(quantity);
      await Promise.all([visitor.page.waitForURL(/interest=saved/), visitor.page.click('button:has-text("I\'m interested")')]);
      report.check(`visitor (JavaScript ${javaScript ? 'on' : 'off'}): interest registered`,
        (await visitor.page.textContent('main')).includes('your interest is registered'));
      await visitor.context.close();
      report.check(`console: the count reads "${expected}" without a reload`, await counts(expected));
    }
    report.check('console: the threshold shows met live', (await page.textContent('[data-live=met-participants]')) === 'met');
    report.check('console: the same document all along', await page.evaluate(() => window.sameDocument === true));
    await submit(page, 'button:has-text("Close")');
    report.check('console: the close succeeds once the threshold is met',
      (await page.textContent('[data-live=status]')).includes('Closed'), await page.textContent('main'));

    await page.goto(`${gb.base}/console/webhooks`);
    await audit(report, page, 'console-webhooks', page.consoleErrors);
    await page.fill('#url', 'https://hooks.example.com/in');
    await submit(page, 'form[action="/console/webhooks"] button[type=submit]');
    const secret = await page.textContent('.secret code');
    report.check('console: the endpoint secret is shown on creation', (secret ?? '').length >= 32, secret);
    await audit(report, page, 'console-webhook-secret', page.consoleErrors, { expectedStatus: 201 });
    await page.click('.secret a');
    await page.waitForLoadState();
    report.check('console: the secret is not shown again', !(await page.content()).includes(secret));
    await audit(report, page, 'console-webhook', page.consoleErrors);
    await context.close();
  },
};
