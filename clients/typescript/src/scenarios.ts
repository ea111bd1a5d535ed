// Seed 001's four test scenarios and a campaign lifecycle through openapi-fetch and the
// types openapi-typescript generates from the live /openapi.json (clients/run.sh).
// Environment: GROUPBUY_URL (the server), GROUPBUY_BIN (the `groupbuy` binary, used only to
// mint test tokens with `groupbuy token`). Exits non-zero on the first broken step.

import { api, as, check, ok, refused, RUN, token, type Schemas } from "./common.js";

type ProductView = Schemas["ProductView"];
type CheckoutSessionView = Schemas["CheckoutSessionView"];
type GroupView = Schemas["GroupView"];

/** Takes the one ProductView type that every product operation returns. */
function describe(p: ProductView): string {
  return `${p.productName}: ${p.groupPrice} ${p.currency}`;
}

async function product(merchant: string, seats: number, hours = 24): Promise<ProductView> {
  const shop = ok(await api.POST("/api/v1/shops", { headers: as(merchant), body: { shopName: "TechWorld" } }), 201);
  const created = ok(
    await api.POST("/api/v1/shops/{shopId}/products", {
      params: { path: { shopId: shop.data.shopId } },
      headers: as(merchant),
      body: {
        productName: "Premium Wireless Headphones",
        regularPrice: 150000,
        groupPrice: 80000,
        stockQuantity: 1000,
        groupBuyingEnabled: true,
        groupMaxSize: seats,
        groupTimeLimitHours: hours,
        maxPerCustomer: seats,
      },
    }),
    201,
  );
  const fetched = ok(
    await api.GET("/api/v1/products/{productId}", { params: { path: { productId: created.data.productId } } }),
  );
  check(describe(fetched.data) === describe(created.data), "same product, same type");
  return fetched.data;
}

async function credit(admin: string, sub: string, amount: number): Promise<void> {
  const entry = ok(
    await api.POST("/api/v1/platform-admin/wallets/{userId}/credit", {
      params: { path: { userId: `${sub}-${RUN}` }, header: { "Idempotency-Key": `credit-${sub}-${RUN}` } },
      headers: as(admin),
      body: { amount, reference: "client top-up" },
    }),
    201,
  );
  check(entry.data.kind === "CREDIT", "a credit is a CREDIT");
}

/** Opens a checkout session and pays it from the wallet (retry-safe key). */
async function buy(buyer: string, productId: string, quantity: number, group?: string): Promise<CheckoutSessionView> {
  const session = ok(
    await api.POST("/api/v1/checkout-sessions", {
      headers: as(buyer),
      body: {
        sessionType: "GROUP_PURCHASE",
        productId,
        quantity,
        ...(group === undefined ? {} : { metadata: { groupInstanceId: group } }),
      },
    }),
    201,
  ).data;
  check(session.status === "PENDING_PAYMENT", "a new session waits for payment");
  const paid = ok(
    await api.POST("/api/v1/checkout-sessions/{sessionId}/process-payment", {
      params: { path: { sessionId: session.sessionId }, header: { "Idempotency-Key": `pay-${session.sessionId}` } },
      headers: as(buyer),
      body: { paymentMethod: "WALLET" },
    }),
  ).data;
  // process-payment answers any kind of session; a group purchase's is this one.
  if (paid.sessionType !== "GROUP_PURCHASE") throw new Error(`a group purchase's session, not ${paid.sessionType}`);
  check(paid.status === "COMPLETED", "paid");
  return paid;
}

function groupOf(session: CheckoutSessionView): string {
  const group = session.groupInstanceId;
  if (typeof group !== "string") throw new Error("a paid session names its group");
  return group;
}

async function group(viewer: string, groupId: string): Promise<GroupView> {
  return ok(
    await api.GET("/api/v1/group-purchases/{groupId}", { params: { path: { groupId } }, headers: as(viewer) }),
  ).data;
}

async function scenario1(admin: string, merchant: string): Promise<void> {
  const p = await product(merchant, 10);
  const [a, b, c] = [token("a"), token("b"), token("c")];
  for (const sub of ["a", "b", "c"]) await credit(admin, sub, 1_000_000);
  const g = groupOf(await buy(a, p.productId, 2));
  await buy(b, p.productId, 3, g);
  const half = await group(a, g);
  check(half.seatsOccupied === 5 && half.status === "OPEN", "5 of 10 seats");
  check(half.groupName === `${half.groupCode}-${p.productName}`, "default group name");
  await buy(c, p.productId, 5, g);
  const done = await group(a, g);
  check(done.status === "COMPLETED" && done.isFull, "the last seat completes the group");
  check(!Number.isNaN(Date.parse(done.completedAt ?? "")), "completedAt is an RFC 3339 instant");
  for (const buyer of [a, b, c]) {
    const orders = ok(await api.GET("/api/v1/orders/my-orders", { headers: as(buyer) })).data.items;
    const first = orders[0];
    check(orders.length === 1 && first?.groupInstanceId === g, "one order per participant");
    if (first) ok(await api.GET("/api/v1/orders/{orderId}", { params: { path: { orderId: first.orderId } }, headers: as(buyer) }));
  }
  const full = refused(
    await api.POST("/api/v1/checkout-sessions", {
      headers: as(a),
      body: { sessionType: "GROUP_PURCHASE", productId: p.productId, quantity: 1, metadata: { groupInstanceId: g } },
    }),
    400,
  );
  check(full.message === "Group is full. Seats occupied: 10/10", full.message);
}

async function scenario2(admin: string, merchant: string): Promise<void> {
  const p = await product(merchant, 10);
  const [a, b] = [token("a2"), token("b2")];
  await credit(admin, "a2", 1_000_000);
  await credit(admin, "b2", 1_000_000);
  const g1 = groupOf(await buy(a, p.productId, 3));
  const g2 = groupOf(await buy(b, p.productId, 1));
  const moved = ok(
    await api.POST("/api/v1/group-purchases/transfer", {
      headers: as(a),
      body: { sourceGroupId: g1, targetGroupId: g2, quantity: 2 },
    }),
  ).data;
  check(moved.quantity === 2 && moved.hasTransferred, "2 seats moved");
  check(moved.transferHistory[0]?.reason.startsWith("Transferred 2 seats from group GP-") === true, "reason");
  const mine = ok(await api.GET("/api/v1/group-purchases/my-participations", { headers: as(a) })).data;
  const inGroup = (id: string) => mine.find((m) => m.groupInstanceId === id)?.quantity;
  check(inGroup(g1) === 1 && inGroup(g2) === 2, "1 seat left, 2 moved");
  check(mine.every((m) => m.status === "ACTIVE"), "both ACTIVE");
}

async function scenario3(admin: string, merchant: string): Promise<void> {
  const p = await product(merchant, 5, 0.0003); // about a second
  const a = token("a3");
  await credit(admin, "a3", 500_000);
  const g = groupOf(await buy(a, p.productId, 2));
  let view = await group(a, g);
  for (let i = 0; i < 150; i++) {
    if (view.status === "FAILED" && view.participants.every((x) => x.status === "REFUNDED")) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    view = await group(a, g);
  }
  check(view.status === "FAILED" && view.isExpired, "the group failed after expiry");
  check(ok(await api.GET("/api/v1/wallet", { headers: as(a) })).data.balance === 500000, "refunded in full");
  const ledger = ok(await api.GET("/api/v1/wallet/transactions", { headers: as(a) })).data.items;
  check(ledger[0]?.kind === "REFUND", "the last entry is the REFUND");
}

async function scenario4(admin: string, merchant: string): Promise<void> {
  const p = await product(merchant, 10);
  const a = token("a4");
  await credit(admin, "a4", 1_000_000);
  const g = groupOf(await buy(a, p.productId, 2));
  await buy(a, p.productId, 3, g);
  const mine = ok(await api.GET("/api/v1/group-purchases/my-participations", { headers: as(a) })).data;
  const only = mine[0];
  check(mine.length === 1 && only !== undefined, "one participation");
  check(only?.quantity === 5 && only.purchaseCount === 2, "5 seats from 2 purchases");
  check(only?.purchaseHistory.length === 2 && only.totalPaid === 400000, "history and money");
}

async function campaignLifecycle(): Promise<void> {
  const merchant = token("gharart", "merchant");
  const handle = `gharart-${RUN}`;
  const slug = "teak-lamps";
  const at = { params: { path: { handle, groupBuySlug: slug } } };
  ok(await api.POST("/v2/handles", { headers: as(merchant), body: { handle, displayName: "Gharart" } }), 201);
  const closesAt = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
  const draft = ok(
    await api.POST("/v2/handles/{handle}/group-buys", {
      params: { path: { handle } },
      headers: as(merchant),
      body: {
        slug,
        title: "Teak lamps",
        unitPrice: 45000,
        thresholds: { minParticipants: 2, minQuantity: 3 },
        maxQuantity: 100,
        closesAt,
      },
    }),
    201,
  ).data;
  check(draft.status === "DRAFT", "created as DRAFT");
  refused(await api.GET("/v2/public/group-buys/{handle}/{groupBuySlug}", at), 404);
  const published = ok(
    await api.POST("/v2/handles/{handle}/group-buys/{groupBuySlug}/publish", { ...at, headers: as(merchant) }),
  ).data;
  check(published.status === "PUBLISHED", "PUBLISHED");
  ok(await api.GET("/v2/public/group-buys/{handle}/{groupBuySlug}", at));
  // An anonymous visitor: no token; the server names it with the gb_visitor cookie.
  const first = await api.PUT("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest", { ...at, body: { quantity: 1 } });
  ok(first, 201);
  const cookie = (first.response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  check(cookie.startsWith("gb_visitor="), "the visitor cookie is issued");
  const again = ok(
    await api.PUT("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest", {
      ...at,
      headers: { Cookie: cookie },
      body: { quantity: 1 },
    }),
  ).data;
  check(again.visitorId.startsWith("visitor:"), "the cookie names the same visitor");
  const notYet = refused(
    await api.POST("/v2/handles/{handle}/group-buys/{groupBuySlug}/close", { ...at, headers: as(merchant) }),
    409,
  );
  check(notYet.message === "Cannot close: thresholds not met: participants 1/2, quantity 1/3", notYet.message);
  const alice = token("alice");
  ok(
    await api.PUT("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest", {
      ...at,
      headers: as(alice),
      body: { quantity: 2 },
    }),
    201,
  );
  const paused = ok(
    await api.POST("/v2/handles/{handle}/group-buys/{groupBuySlug}/pause", { ...at, headers: as(merchant) }),
  ).data;
  check(paused.status === "PAUSED" && paused.progress.met, "PAUSED, thresholds met");
  refused(
    await api.PUT("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest", {
      ...at,
      headers: as(alice),
      body: { quantity: 3 },
    }),
    409,
  );
  const closed = ok(
    await api.POST("/v2/handles/{handle}/group-buys/{groupBuySlug}/close", { ...at, headers: as(merchant) }),
  ).data;
  check(closed.status === "CLOSED" && closed.allowedActions.length === 0, "CLOSED, final");
  const audit = ok(
    await api.GET("/v2/handles/{handle}/group-buys/{groupBuySlug}/audit", { ...at, headers: as(merchant) }),
  ).data.items;
  const actions = new Set(audit.map((e) => e.action));
  const expected: Schemas["AuditAction"][] = ["create", "publish", "pause", "close"];
  check(expected.every((a) => actions.has(a)), `audited: ${[...actions].join(", ")}`);
}

async function main(): Promise<void> {
  const admin = token("admin", "platform-admin");
  const merchant = token("merchant", "merchant");
  const steps: [string, () => Promise<void>][] = [
    ["seed 001 scenario 1: create and complete a group", () => scenario1(admin, merchant)],
    ["seed 001 scenario 2: transfer between groups", () => scenario2(admin, merchant)],
    ["seed 001 scenario 3: expiry fails and refunds", () => scenario3(admin, merchant)],
    ["seed 001 scenario 4: multiple purchases", () => scenario4(admin, merchant)],
    ["campaign lifecycle", campaignLifecycle],
  ];
  for (const [name, step] of steps) {
    await step();
    console.log(`typescript client: ${name}: ok`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
