// The API as integrators call it (HS256 bearer tokens the harness mints), for setting up
// what the pages then show.
import { randomUUID } from 'node:crypto';

/** A client of `gb` (from servers.groupbuy) speaking as the holder of `token`. */
export function api(gb, token) {
  const call = async (method, path, body, headers = {}) => {
    const r = await fetch(gb.base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = text; }
    if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return json.data ?? json;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body = {}) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
  };
}

/** A merchant's shop and group-buy product; returns the product. */
export async function product(gb, merchant, overrides = {}) {
  const m = api(gb, gb.token(merchant, { roles: ['merchant'] }));
  const shop = await m.post('/api/v1/shops', { shopName: `${merchant}'s shop`, shopLogo: 'https://img.example/logo.png' });
  return m.post(`/api/v1/shops/${shop.shopId}/products`, {
    productName: 'Premium Wireless Headphones',
    productImage: 'https://img.example/headphones.jpg',
    regularPrice: 150000,
    groupPrice: 80000,
    stockQuantity: 1000,
    groupBuyingEnabled: true,
    groupMaxSize: 4,
    groupTimeLimitHours: 24,
    maxPerCustomer: 2,
    ...overrides,
  });
}

/** Credits `amount` to `user`'s wallet (as a platform admin). */
export async function credit(gb, user, amount) {
  const admin = api(gb, gb.token('root-admin', { roles: ['platform-admin'] }));
  await admin.post(`/api/v1/platform-admin/wallets/${user}/credit`, { amount, reference: 'browser test top-up' });
}

/** `user` buys `quantity` seats of `productId` (joining `groupId` or opening a group); the paid session. */
export async function buy(gb, user, productId, quantity = 1, groupId) {
  const u = api(gb, gb.token(user, { name: user }));
  const session = await u.post('/api/v1/checkout-sessions', {
    sessionType: 'GROUP_PURCHASE', productId, quantity,
    ...(groupId ? { metadata: { groupInstanceId: groupId } } : {}),
  });
  return u.post(`/api/v1/checkout-sessions/${session.sessionId}/process-payment`, { paymentMethod: 'WALLET' });
}
