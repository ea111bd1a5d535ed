// A real OpenID provider (the certified `oidc-provider` package, pinned in package.json) for
// groupbuy's provider-backed tests (oidc/e2e.py). Test-only: loopback, fixed test secrets.
//
//   node provider.mjs serve <port> <keys.json> [<groupbuy base URL>]
//                                                  serves issuer http://127.0.0.1:<port>
//   node provider.mjs key <kid>                    prints a new private RSA JWK
//   node provider.mjs sign <keys.json> <kid> <alg> <payload-json>
//                                                  signs a JWT with a key of the set (the
//                                                  tests' forged tokens: expired, other kid;
//                                                  HS256 keyed with the public key's PEM)
//
// Clients (client_credentials, so each is one test user whose tokens the provider issues):
// alice is a merchant of organisation org_a, bob a platform admin without an organisation,
// carol a shopper, oscar an organiser of org_o.
// Their roles are put where Keycloak puts them (realm_access.roles). The same two are
// accounts for the browser sign-in of the client groupbuy-web (authorization code + PKCE,
// the package's development login and consent forms; any password), whose ID tokens carry
// name, realm_access and org_id.
import {
  createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

export const AUDIENCE = 'https://groupbuy.test/api';
const USERS = {
  alice: { roles: ['merchant'], org: 'org_a', name: 'Alice' },
  bob: { roles: ['platform-admin'], org: null, name: 'Bob' },
  // The browser tests' (browser/) shopper and procurement organiser.
  carol: { roles: [], org: null, name: 'Carol' },
  oscar: { roles: [], org: 'org_o', name: 'Oscar' },
};

const b64url = (data) => Buffer.from(data).toString('base64url');

function serve(port, keysFile, groupbuy) {
  const issuer = `http://127.0.0.1:${port}`;
  const jwks = JSON.parse(readFileSync(keysFile, 'utf8'));
  const clients = Object.keys(USERS).map((id) => ({
    client_id: id,
    client_secret: `${id}-test-secret`,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'groupbuy:read groupbuy:write procurement:write',
  }));
  if (groupbuy) {
    clients.push({
      client_id: 'groupbuy-web',
      client_secret: 'groupbuy-web-test-secret',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [`${groupbuy}/auth/callback`],
      post_logout_redirect_uris: [`${groupbuy}/`],
    });
  }
  const provider = new Provider(issuer, {
    clients,
    findAccount: (ctx, id) => {
      const user = USERS[id];
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          name: user.name,
          preferred_username: id,
          realm_access: { roles: user.roles },
          ...(user.org ? { org_id: user.org } : {}),
        }),
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'realm_access', 'org_id'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    scopes: ['openid', 'groupbuy:read', 'groupbuy:write', 'procurement:write'],
    jwks,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => ({
          scope: 'groupbuy:read groupbuy:write procurement:write',
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: async (ctx, token) => {
      const user = USERS[token.clientId];
      if (!user) return undefined;
      const claims = { realm_access: { roles: user.roles }, preferred_username: user.name };
      if (user.org) claims.org_id = user.org;
      return claims;
    },
  });
  provider.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening ${issuer}\n`);
  });
}

function key(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  process.stdout.write(JSON.stringify({ ...jwk, kid, alg: 'RS256', use: 'sig' }));
}

function signToken(keysFile, kid, alg, payloadJson) {
  const jwks = JSON.parse(readFileSync(keysFile, 'utf8'));
  const jwk = jwks.keys.find((k) => k.kid === kid);
  const header = b64url(JSON.stringify({ alg, kid, typ: 'JWT' }));
  const body = b64url(payloadJson);
  const input = `${header}.${body}`;
  // HS256 here is the algorithm-confusion attack: the public key (PEM) as the HMAC secret.
  const signature = alg === 'HS256'
    ? createHmac('sha256', createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }))
      .update(input).digest()
    : cryptoSign('sha256', Buffer.from(input), createPrivateKey({ key: jwk, format: 'jwk' }));
  process.stdout.write(`${input}.${signature.toString('base64url')}`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'serve') serve(Number(args[0]), args[1], args[2]);
else if (command === 'key') key(args[0]);
else if (command === 'sign') signToken(...args);
else {
  process.stderr.write('usage: provider.mjs serve <port> <keys.json> | key <kid> | sign <keys.json> <kid> <alg> <payload>\n');
  process.exit(2);
}
