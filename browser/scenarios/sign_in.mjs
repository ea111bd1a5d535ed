// Signing in with the company's identity provider and out again, in a browser.
import { audit } from '../lib/checks.mjs';
import { signedIn } from '../lib/session.mjs';

export default {
  title: 'sign-in through the OpenID provider',
  async run({ gb, idp, browser, report }) {
    const { context, page } = await signedIn(browser, gb, 'alice', '/console');
    report.check('back on the console after the provider', page.url() === `${gb.base}/console`, page.url());
    report.check('the header names the signed-in person', (await page.textContent('header')).includes('Signed in as Alice'));
    await audit(report, page, 'console', page.consoleErrors);
    // Sign-out ends groupbuy's session, then the provider's (its confirmation form), and
    // the provider sends the browser back to groupbuy's home page.
    await Promise.all([page.waitForURL((u) => !u.href.startsWith(gb.base)), page.click('button:has-text("Sign out")')]);
    report.check('sign-out goes on to the provider\'s end-session page', page.url().startsWith(idp.issuer), page.url());
    await Promise.all([page.waitForURL(`${gb.base}/`), page.click('button[type=submit]')]);
    report.check('back home, offered to sign in', (await page.textContent('header')).includes('Sign in'));
    await audit(report, page, 'home', page.consoleErrors);
    const me = await context.request.get(`${gb.base}/auth/me`);
    report.check('signed out: the session is over', me.status() === 401, me.status());
    await context.close();
  },
};
