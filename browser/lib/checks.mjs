// What every page visited is held to: axe-core (0 serious or critical violations), no
// Content-Security-Policy violation or script error in the console, every action reachable
// by keyboard alone, and a screenshot at phone and desktop width (CI output, not committed).
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

/** The run's findings: a failed check is recorded and the run goes on, then fails at the end. */
export class Report {
  constructor(outDir) {
    this.outDir = outDir;
    this.failures = [];
    this.checked = 0;
    mkdirSync(outDir, { recursive: true });
  }

  check(name, ok, detail = '') {
    this.checked += 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
    if (!ok) this.failures.push(name);
  }
}

/**
 * Records console errors (a CSP refusal is one) of `page` into `sink` while it shows one of
 * groupbuy's pages (the identity provider's pages are not ours to judge).
 */
export function watchConsole(page, sink, base) {
  const ours = () => !base || page.url().startsWith(base);
  page.on('console', (m) => { if (m.type() === 'error' && ours()) sink.push(`${m.text()} (${page.url()})`); });
  page.on('pageerror', (e) => { if (ours()) sink.push(String(e)); });
}

/**
 * Holds the page now open in `page` to every rule, under the label `name`. axe runs through
 * the DevTools protocol (page.evaluate), so the page's own CSP stays on and is tested too.
 */
export async function audit(report, page, name, consoleErrors, { expectedStatus } = {}) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  const grave = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  report.check(`${name}: axe-core finds no serious or critical violation`, grave.length === 0,
    grave.map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));
  // A page answered with an error status (the 404 page) logs its own status: expected.
  const errors = consoleErrors.splice(0).filter((e) => !(expectedStatus
    && e.startsWith(`Failed to load resource: the server responded with a status of ${expectedStatus}`)));
  report.check(`${name}: no console error (CSP, script)`, errors.length === 0, errors.join(' | '));
  await keyboard(report, page, name);
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(report.outDir, `${name.replace(/[^a-z0-9-]+/gi, '_')}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

/**
 * Tabs through the page from its start and checks every link, button, input, select and
 * textarea got the focus on the way (no action only a mouse reaches).
 */
async function keyboard(report, page, name) {
  const actions = await page.evaluate(() => {
    const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')];
    all.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    return all.filter((el) => !el.disabled && el.getClientRects().length > 0).map((el) => el.getAttribute('data-kb'));
  });
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  for (let i = 0; i < actions.length + 5; i += 1) {
    await page.keyboard.press('Tab');
    const kb = await page.evaluate(() => document.activeElement?.getAttribute('data-kb'));
    if (kb !== null && kb !== undefined) reached.add(kb);
  }
  const missed = actions.filter((a) => !reached.has(a));
  report.check(`${name}: keyboard alone reaches all ${actions.length} actions`, missed.length === 0,
    `missed ${missed.length}: ${await page.evaluate((m) => m.map((k) => document.querySelector(`[data-kb="${k}"]`)?.outerHTML.slice(0, 80)).join(' '), missed)}`);
}

/** The link preview a chat app would build from the raw HTML (no script run). */
export function preview(html) {
  const meta = (key) => {
    const m = html.match(new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)"`));
    return m ? m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : undefined;
  };
  return {
    title: meta('og:title'),
    description: meta('og:description'),
    image: meta('og:image'),
    url: meta('og:url'),
    twitterCard: meta('twitter:card'),
  };
}
