// The processes a browser run needs, all on loopback: the real OpenID provider of oidc/
// (oidc-provider, pinned there) and the groupbuy binary on SQLite or on a fresh PostgreSQL
// database. Every process is killed when the run ends, failed or not.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROVIDER = join(HERE, '..', '..', 'oidc', 'provider.mjs');
/** The HS256 secret the harness mints its own API tokens with. */
export const SECRET = 'browser-test-secret-of-at-least-32-bytes!';
/** The API audience of the provider's access tokens. */
export const AUDIENCE = 'https://groupbuy.test/api';

const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves once `url` answers `status`, or rejects after `seconds`. */
export async function waitFor(url, status = 200, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.status === status) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer ${status} within ${seconds} s`);
}

function start(command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  child.lastErrors = () => stderr;
  children.push(child);
  return child;
}

/** The OpenID provider, its issuer at a free port, with groupbuy's web client registered. */
export async function provider(groupbuyBase) {
  const dir = mkdtempSync(join(tmpdir(), 'gb-browser-'));
  const keys = join(dir, 'keys.json');
  const key = JSON.parse(execFileSync('node', [PROVIDER, 'key', 'k1'], { encoding: 'utf8' }));
  writeFileSync(keys, JSON.stringify({ keys: [key] }));
  const port = await freePort();
  const child = start('node', [PROVIDER, 'serve', String(port), keys, groupbuyBase]);
  const issuer = `http://127.0.0.1:${port}`;
  await waitFor(`${issuer}/.well-known/openid-configuration`);
  return { issuer, stop: () => child.kill('SIGTERM') };
}

/** A fresh PostgreSQL database next to the maintenance database of `adminUrl`. */
export function postgresDatabase(adminUrl) {
  const name = `groupbuy_browser_${process.pid}_${Date.now()}`;
  execFileSync('psql', [adminUrl, '-qAtc', `CREATE DATABASE ${name}`]);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => execFileSync('psql', [adminUrl, '-qAtc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]),
  };
}

/** groupbuy at `port` on `databaseUrl`, signing in through `issuer`. */
export async function groupbuy(binary, port, databaseUrl, issuer, extraEnv = {}) {
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: databaseUrl,
    GROUPBUY_BIND: `127.0.0.1:${port}`,
    GROUPBUY_WORKERS: '2',
    GROUPBUY_RATE_LIMITS: 'off',
    GROUPBUY_SWEEP_INTERVAL_MS: '200',
    GROUPBUY_JWT_SECRET: SECRET,
    GROUPBUY_JWT_AUDIENCE: AUDIENCE,
    GROUPBUY_JWT_ROLES_CLAIM: '/realm_access/roles',
    GROUPBUY_OIDC_ISSUER: issuer,
    GROUPBUY_OIDC_CLIENT_ID: 'groupbuy-web',
    GROUPBUY_OIDC_CLIENT_SECRET: 'groupbuy-web-test-secret',
    GROUPBUY_OIDC_SCOPES: 'openid profile groupbuy:read groupbuy:write procurement:write',
    GROUPBUY_PUBLIC_URL: base,
    ...extraEnv,
  };
  const child = start(binary, ['serve'], env);
  try {
    await waitFor(`${base}/readyz`);
  } catch (e) {
    throw new Error(`${e.message}\n${child.lastErrors()}`);
  }
  const token = (sub, { roles = [], org, name, scope = 'groupbuy:read groupbuy:write procurement:write' } = {}) => {
    // Roles where the provider puts them (the claim map reads /realm_access/roles for
    // every token, HS256 ones included).
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub, scope, aud: AUDIENCE, iat: now, exp: now + 3600, realm_access: { roles },
      ...(name ? { name } : {}), ...(org ? { org_id: org } : {}),
    };
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
  };
  return { base, token, stop: () => child.kill('SIGTERM') };
}
