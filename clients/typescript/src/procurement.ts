// The whole procurement flow (seed 002 and issue 22) through openapi-fetch and the generated
// types only: a pool, commitments with If-Match, the RFQ and the allocation as 202 jobs polled
// by their Location, vendors' responses, the parties' data, settlement, the UBL invoice, and a
// vendor's own webhook endpoint that receives its invitation, award and payable.
// Environment as scenarios.ts: GROUPBUY_URL, GROUPBUY_BIN (to mint test tokens only).

import { api, as, check, mint, ok, refused, RUN, type Answer, type Schemas } from "./common.js";

type JobView = Schemas["JobView"];
type PartyBody = Schemas["PartyBody"];
type EventType = Schemas["CreateEndpointRequest"]["events"][number];

const RW = "groupbuy:read groupbuy:write";
const FINANCE = "groupbuy:read groupbuy:write procurement:write finance:write";

/** A test token of `sub` (for organisation `org`, or as a vendor). */
function bearer(sub: string, opts: { org?: string; scope?: string; vendor?: boolean } = {}): string {
  const args = ["token", "--sub", sub, "--scope", opts.scope ?? RW];
  if (opts.org !== undefined) args.push("--org", opts.org);
  if (opts.vendor === true) args.push("--role", "vendor");
  return mint(args);
}

/** The entity tag a read answered with: sent back as If-Match. */
function etag<T>(answer: Answer<T>): string {
  const tag = answer.response.headers.get("etag");
  if (tag === null) throw new Error("no ETag");
  return tag;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Polls the job a 202 named in its Location until it finished (bounded: 15 s). */
async function jobOf<T>(answer: Answer<T>, organiser: string): Promise<JobView> {
  const location = answer.response.headers.get("location") ?? "";
  check(location.startsWith("/groupbuy/jobs/job_"), `a job's Location: ${location}`);
  const jobId = location.split("/").pop() ?? "";
  for (let i = 0; i < 150; i++) {
    const job = ok(
      await api.GET("/groupbuy/jobs/{job_id}", { params: { path: { job_id: jobId } }, headers: as(organiser) }),
    ).data;
    if (job.status === "succeeded" || job.status === "failed") {
      check(job.status === "succeeded", `the job failed: ${job.error ?? ""}`);
      return job;
    }
    await sleep(100);
  }
  throw new Error("the job did not finish in 15 s");
}

/** A complete party (Belgian, VAT registered, a GLN Peppol address). */
function party(name: string): PartyBody {
  return {
    legal_name: `${name} SA`,
    postal_address: { street: "Rue Haute 1", city: "Brussels", postal_code: "1000", country: "BE" },
    vat_id: "BE0403578495",
    electronic_address: { scheme: "0088", identifier: "5798000012349" },
    contact_email: "ap@example.com",
    default_vat: { category: "S", rate: 21 },
  };
}

async function procurementFlow(): Promise<void> {
  const [acme, millsId, farmId] = [`org_acme_${RUN}`, `vendor_mills_${RUN}`, `vendor_farm_${RUN}`];
  const members: [string, number, number][] = [
    [`org_a_${RUN}`, 50, 10],
    [`org_b_${RUN}`, 30, 10],
    [`org_c_${RUN}`, 20, 12],
  ];
  const organiser = bearer(`alice-${RUN}`, { org: acme, scope: FINANCE });
  const mills = bearer(millsId, { vendor: true });
  const farm = bearer(farmId, { vendor: true });

  // Mills registers its own endpoint (another vendor's id is a 404).
  const events: EventType[] = ["rfq.invited", "allocation.created", "settlement.completed"];
  const hook = { url: "https://hooks.example.com/groupbuy", events, vendor_id: millsId };
  refused(await api.POST("/webhooks/endpoints", { headers: as(farm), body: hook }), 404);
  const endpoint = ok(await api.POST("/webhooks/endpoints", { headers: as(mills), body: hook }), 201).data;
  check(endpoint.secret.startsWith("whsec_"), "the secret is shown once");

  const soon = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const pool = ok(
    await api.POST("/groupbuy", {
      params: { header: { "Idempotency-Key": `pool-${RUN}` } },
      headers: as(organiser),
      body: {
        title: "Maize flour",
        items: [{ sku: "MAIZE-25", name: "Maize flour 25 kg", unit: "bag", unit_code: "XBG" }],
        target_quantity: 100,
        min_commitment: 10,
        deadline: soon,
        rules: { organiser_fee_bps: 250, payment_terms_days: 14 },
      },
    }),
    201,
  ).data;
  const path = { id: pool.id };
  for (const [org, quantity, ceiling] of members) {
    const buyer = bearer(`buyer-${org}`, { org });
    const read = await api.GET("/groupbuy/{id}", { params: { path }, headers: as(buyer) });
    ok(read);
    const commit = (key: string) =>
      api.POST("/groupbuy/{id}/commit", {
        params: { path, header: { "If-Match": etag(read), "Idempotency-Key": key } },
        headers: as(buyer),
        body: { quantity, price_ceiling: ceiling },
      });
    ok(await commit(`c-${org}`), 201);
    // The pool moved on: the tag read before the commitment is stale.
    refused(await commit(`c2-${org}`), 412);
  }

  const read = await api.GET("/groupbuy/{id}", { params: { path }, headers: as(organiser) });
  check(ok(read).data.stats.committed_quantity === 100, "the target is reached");
  const opened = await api.POST("/groupbuy/{id}/rfq", {
    params: { path, header: { "If-Match": etag(read), "Idempotency-Key": `rfq-${RUN}` } },
    headers: as(organiser),
    body: {
      vendors: [
        { vendor_id: millsId, name: "Mills & Co" },
        { vendor_id: farmId, name: "Farm Direct" },
      ],
      due_date: soon,
    },
  });
  ok(opened, 202);
  await jobOf(opened, organiser);

  const later = new Date(Date.now() + 14 * 86_400_000).toISOString();
  for (const [vendor, price, available] of [
    [mills, 9, 60],
    [farm, 9.5, 100],
  ] as const) {
    ok(
      await api.POST("/groupbuy/{id}/rfq/responses", {
        params: { path },
        headers: as(vendor),
        body: { unit_price: price, available_quantity: available, valid_until: later, lead_time_days: 5 },
      }),
      201,
    );
  }

  const allocating = await api.POST("/groupbuy/{id}/allocate", {
    params: { path, header: { "Idempotency-Key": `alloc-${RUN}` } },
    headers: as(organiser),
  });
  ok(allocating, 202);
  await jobOf(allocating, organiser);
  const own = ok(await api.GET("/groupbuy/{id}/allocation", { params: { path }, headers: as(mills) })).data;
  check(own.results.length > 0 && own.results.every((l) => l.vendor_id === millsId), "a vendor reads its own lines");

  for (const org of [acme, ...members.map(([m]) => m)]) {
    ok(
      await api.PUT("/groupbuy/organisations/{org_id}", {
        params: { path: { org_id: org } },
        headers: as(bearer(`clerk-${org}`, { org })),
        body: party(org),
      }),
    );
  }
  for (const [id, who] of [
    [millsId, mills],
    [farmId, farm],
  ] as const) {
    ok(
      await api.PUT("/groupbuy/vendors/{vendor_id}", {
        params: { path: { vendor_id: id } },
        headers: as(who),
        body: party(id),
      }),
    );
  }

  const settled = ok(
    await api.POST("/groupbuy/{id}/settle", {
      params: { path, header: { "Idempotency-Key": `settle-${RUN}` } },
      headers: as(organiser),
    }),
    201,
  ).data;
  const sum = (pick: (d: (typeof settled.documents)[number]) => number): number =>
    settled.documents.reduce((total, d) => total + pick(d), 0);
  const payables = sum((d) => (d.type === "PAYABLE" ? d.total : 0));
  const receivables = sum((d) => (d.type === "RECEIVABLE" ? d.total : 0));
  check(Math.abs(receivables - payables - sum((d) => d.fee)) < 0.005, "receivables == payables + fees");
  const payable = settled.documents.find((d) => d.counterparty === millsId);
  if (payable === undefined) throw new Error("Mills has a payable");
  const doc = { path: { id: pool.id, doc_id: payable.id } };
  const asJson = ok(await api.GET("/groupbuy/{id}/settlement/documents/{doc_id}", { params: doc, headers: as(mills) }));
  // The operation's 200 is JSON or, asked for, XML text: without Accept it is the JSON.
  if (typeof asJson === "string") throw new Error("JSON unless XML is asked for");
  check(asJson.data.type === "PAYABLE" && asJson.data.number === payable.number, "its payable");
  const xml = await api.GET("/groupbuy/{id}/settlement/documents/{doc_id}", {
    params: { ...doc, header: { Accept: "application/xml" } },
    headers: as(mills),
    parseAs: "text",
  });
  const ubl = ok(xml);
  check(xml.response.headers.get("content-type")?.startsWith("application/xml") === true, "served as XML");
  check(ubl.includes("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2") && ubl.includes(payable.number), "UBL");

  // What Mills' endpoint was given: its invitation, its award and its payable.
  let got: string[] = [];
  for (let i = 0; i < 100 && got.length < events.length; i++) {
    const page = ok(
      await api.GET("/webhooks/endpoints/{id}/deliveries", {
        params: { path: { id: endpoint.id } },
        headers: as(mills),
      }),
    ).data;
    got = page.items.map((d) => d.event_type).sort();
    if (got.length < events.length) await sleep(100);
  }
  check(JSON.stringify(got) === JSON.stringify([...events].sort()), `the vendor's deliveries: ${got.join(", ")}`);
}

procurementFlow()
  .then(() =>
    console.log("typescript client: procurement: pool, If-Match, jobs, responses, settlement, UBL, vendor webhook: ok"),
  )
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
