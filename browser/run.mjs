// groupbuy's pages in a real browser (issue 21): Debian's Chromium driven by playwright-core,
// signing in through a real OpenID provider (oidc/provider.mjs), against the real binary on
// SQLite and, with GROUPBUY_TEST_POSTGRES_URL set, on PostgreSQL too. Screenshots of every
// page at phone and desktop width go to target/browser/<backend>/ (CI output).
//
//   node browser/run.mjs <groupbuy binary>        (make browser-e2e)
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Report } from './lib/checks.mjs';
import { freePort, groupbuy, postgresDatabase, provider } from './lib/servers.mjs';
import publicPages from './scenarios/public_pages.mjs';
import signIn from './scenarios/sign_in.mjs';
import shopper from './scenarios/shopper.mjs';
import organiser from './scenarios/organiser.mjs';
import consoleMerchant from './scenarios/console_merchant.mjs';
import liveGroup from './scenarios/live_group.mjs';

const SCENARIOS = [publicPages, signIn, shopper, organiser, consoleMerchant, liveGroup];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function backend(name, binary, databaseUrl, outDir) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await provider(base);
  const gb = await groupbuy(binary, port, databaseUrl, idp.issuer);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const report = new Report(join(outDir, name));
  try {
    for (const scenario of SCENARIOS) {
      console.log(`-- ${name}: ${scenario.title}`);
      try {
        await scenario.run({ gb, idp, browser, report });
      } catch (e) {
        report.check(`${scenario.title} ran to the end`, false, e.stack || String(e));
      }
    }
  } finally {
    await browser.close();
    gb.stop();
    idp.stop();
  }
  return report;
}

async function main() {
  const binary = process.argv[2];
  if (!binary) throw new Error('usage: node browser/run.mjs <groupbuy binary>');
  const outDir = process.env.GROUPBUY_BROWSER_OUT || 'target/browser';
  const started = Date.now();
  const reports = [];
  const sqlite = join(mkdtempSync(join(tmpdir(), 'gb-browser-db-')), 'groupbuy.db');
  reports.push(await backend('sqlite', binary, sqlite, outDir));
  const pgAdmin = process.env.GROUPBUY_TEST_POSTGRES_URL;
  if (pgAdmin) {
    const db = postgresDatabase(pgAdmin);
    try {
      reports.push(await backend('postgres', binary, db.url, outDir));
    } finally {
      db.drop();
    }
  }
  const failures = reports.flatMap((r) => r.failures);
  const checked = reports.reduce((n, r) => n + r.checked, 0);
  console.log(`${failures.length ? 'FAILED' : 'passed'}: ${checked - failures.length}/${checked} checks in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${outDir}`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
