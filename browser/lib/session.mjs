// Signing a browser in through the real provider: groupbuy's /auth/login, the provider's
// development login and consent forms (oidc-provider's devInteractions), back to `returnTo`.
import { watchConsole } from './checks.mjs';

/** A 1x1 PNG: what every image from another origin is answered with. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/**
 * Keeps the browser on loopback: a request to any other host never leaves the machine (its
 * images are answered with a pixel here, anything else is aborted), so product pictures on
 * `https://img.example/` render without a network and no test traffic goes elsewhere.
 */
async function loopbackOnly(context) {
  await context.route((url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname), (route) => (
    route.request().resourceType() === 'image'
      ? route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL })
      : route.abort('blockedbyclient')));
}

/** A new browser context signed in as `user` (alice, bob, carol, oscar), on `returnTo`. */
export async function signedIn(browser, gb, user, returnTo = '/console') {
  const context = await browser.newContext();
  await loopbackOnly(context);
  const page = await context.newPage();
  page.consoleErrors = [];
  await page.goto(`${gb.base}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'any password');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (!page.url().startsWith(gb.base)) {
    // The consent form, the first time a user signs in.
    await Promise.all([page.waitForURL(`${gb.base}/**`), page.click('button[type=submit]')]);
  }
  watchConsole(page, page.consoleErrors, gb.base);
  return { context, page };
}

/** A new anonymous browser context, with JavaScript on or off. */
export async function anonymous(browser, { javaScript = true } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  await loopbackOnly(context);
  const page = await context.newPage();
  page.consoleErrors = [];
  watchConsole(page, page.consoleErrors);
  return { context, page };
}
