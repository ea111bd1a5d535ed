"""The whole procurement flow (seed 002 and issue 22) through the generated Python client
only: a pool, commitments with If-Match, the RFQ and the allocation as 202 jobs polled by
their Location, vendors' responses, the parties' data, settlement, the UBL invoice, and a
vendor's own webhook endpoint that receives its invitation, award and payable.

Environment as scenarios.py: GROUPBUY_URL, GROUPBUY_BIN (to mint test tokens only).
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from typing import TypeVar

from groupbuy_client import AuthenticatedClient
from groupbuy_client.api.procurement import (
    allocation_create,
    allocation_get,
    commitments_commit,
    jobs_get,
    parties_put_organisation,
    parties_put_vendor,
    procurement_group_buys_create,
    procurement_group_buys_get,
    rfq_open,
    rfq_respond,
    settlement_create,
    settlement_document,
)
from groupbuy_client.api.webhooks import webhooks_create_endpoint, webhooks_list_deliveries
from groupbuy_client.models import (
    CommitBody,
    CountryCode,
    CreateEndpointRequest,
    CreateEndpointRequestEventsItem,
    CreateGroupBuyBody,
    DocumentType,
    EasScheme,
    ElectronicAddressBody,
    ItemBody,
    JobStatus,
    JobView,
    OpenRfqBody,
    PartyBody,
    PostalAddressBody,
    ResponseBody,
    RulesBody,
    SettlementDocumentAccept,
    UnitCode,
    VatBody,
    VatCategory,
    VendorBody,
)
from groupbuy_client.types import Response
from scenarios import BIN, RUN, URL, check, ok, refused

T = TypeVar("T")
RW = "groupbuy:read groupbuy:write"
FINANCE = "groupbuy:read groupbuy:write procurement:write finance:write"


def client(sub: str, *, org: str | None = None, scope: str = RW, vendor: bool = False) -> AuthenticatedClient:
    """A client sending a test token of `sub` (for organisation `org`, or as a vendor)."""
    args = [BIN, "token", "--sub", sub, "--scope", scope]
    if org:
        args += ["--org", org]
    if vendor:
        args += ["--role", "vendor"]
    bearer = subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()
    return AuthenticatedClient(base_url=URL, token=bearer)


def etag(response: Response[T]) -> str:
    """The entity tag a read answered with: sent back as If-Match."""
    tag = response.headers.get("etag")
    if tag is None:
        raise AssertionError("no ETag")
    return tag


def job_of(response: Response[T], organiser: AuthenticatedClient) -> JobView:
    """Polls the job a 202 named in its Location until it finished (bounded: 15 s)."""
    location = response.headers.get("location", "")
    check(location.startswith("/groupbuy/jobs/job_"), f"a job's Location: {location}")
    job_id = location.rsplit("/", 1)[-1]
    for _ in range(150):
        # A GET may also answer 304 (no body): the generated type is widened by Any.
        job: JobView = ok(jobs_get.sync_detailed(job_id, client=organiser)).data
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            check(job.status == JobStatus.SUCCEEDED, f"the job failed: {job.error}")
            return job
        time.sleep(0.1)
    raise AssertionError("the job did not finish in 15 s")


def party(name: str) -> PartyBody:
    """A complete party (Belgian, VAT registered, a GLN Peppol address)."""
    return PartyBody(
        legal_name=f"{name} SA",
        postal_address=PostalAddressBody(
            street="Rue Haute 1", city="Brussels", postal_code="1000", country=CountryCode.BE
        ),
        vat_id="BE0403578495",
        electronic_address=ElectronicAddressBody(scheme=EasScheme.VALUE_5, identifier="5798000012349"),
        contact_email="ap@example.com",
        default_vat=VatBody(category=VatCategory.S, rate=21),
    )


def procurement_flow() -> None:
    acme, mills_id, farm_id = f"org_acme_{RUN}", f"vendor_mills_{RUN}", f"vendor_farm_{RUN}"
    members = {m: f"org_{m}_{RUN}" for m in ("a", "b", "c")}
    organiser = client(f"alice-{RUN}", org=acme, scope=FINANCE)
    mills = client(mills_id, vendor=True)
    farm = client(farm_id, vendor=True)

    # Mills registers its own endpoint (another vendor's id is a 404).
    hooks = "https://hooks.example.com/groupbuy"
    events = [
        CreateEndpointRequestEventsItem.RFQ_INVITED,
        CreateEndpointRequestEventsItem.ALLOCATION_CREATED,
        CreateEndpointRequestEventsItem.SETTLEMENT_COMPLETED,
    ]
    refused(
        webhooks_create_endpoint.sync_detailed(
            client=farm, body=CreateEndpointRequest(url=hooks, events=events, vendor_id=mills_id)
        ),
        404,
    )
    endpoint = ok(
        webhooks_create_endpoint.sync_detailed(
            client=mills, body=CreateEndpointRequest(url=hooks, events=events, vendor_id=mills_id)
        ),
        201,
    ).data
    check(endpoint.secret.startswith("whsec_"), "the secret is shown once")

    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
    body = CreateGroupBuyBody(
        title="Maize flour",
        items=[ItemBody(sku="MAIZE-25", name="Maize flour 25 kg", unit="bag", unit_code=UnitCode.XBG)],
        target_quantity=100,
        min_commitment=10,
        deadline=soon,
        rules=RulesBody(organiser_fee_bps=250, payment_terms_days=14),
    )
    pool = ok(
        procurement_group_buys_create.sync_detailed(client=organiser, body=body, idempotency_key=f"pool-{RUN}"),
        201,
    ).data
    for (m, org), (quantity, ceiling) in zip(members.items(), [(50, 10.0), (30, 10.0), (20, 12.0)]):
        buyer = client(f"{m}-buyer-{RUN}", org=org)
        read = procurement_group_buys_get.sync_detailed(pool.id, client=buyer)
        ok(read)
        commit = CommitBody(quantity=quantity, price_ceiling=ceiling)
        ok(
            commitments_commit.sync_detailed(
                pool.id, client=buyer, body=commit, if_match=etag(read), idempotency_key=f"c-{m}-{RUN}"
            ),
            201,
        )
        if m == "a":
            # The pool moved on: the tag read before the commitment is stale.
            stale = refused(
                commitments_commit.sync_detailed(
                    pool.id, client=buyer, body=commit, if_match=etag(read), idempotency_key=f"c2-{RUN}"
                ),
                412,
            )
            check(stale.status == 412, stale.message)

    read = procurement_group_buys_get.sync_detailed(pool.id, client=organiser)
    check(ok(read).data.stats.committed_quantity == 100, "the target is reached")
    rfq = OpenRfqBody(
        vendors=[VendorBody(vendor_id=mills_id, name="Mills & Co"), VendorBody(vendor_id=farm_id, name="Farm Direct")],
        due_date=soon,
    )
    opened = rfq_open.sync_detailed(
        pool.id, client=organiser, body=rfq, if_match=etag(read), idempotency_key=f"rfq-{RUN}"
    )
    ok(opened, 202)
    job_of(opened, organiser)

    later = soon + datetime.timedelta(days=7)
    for vendor, price, available in ((mills, 9.0, 60), (farm, 9.5, 100)):
        answer = ResponseBody(unit_price=price, available_quantity=available, valid_until=later, lead_time_days=5)
        ok(rfq_respond.sync_detailed(pool.id, client=vendor, body=answer), 201)

    allocating = allocation_create.sync_detailed(pool.id, client=organiser, idempotency_key=f"alloc-{RUN}")
    ok(allocating, 202)
    job_of(allocating, organiser)
    allocation = ok(allocation_get.sync_detailed(pool.id, client=organiser)).data
    check(allocation.totals.allocated_quantity == 100, f"all allocated: {allocation.totals}")
    own = ok(allocation_get.sync_detailed(pool.id, client=mills)).data
    check(all(line.vendor_id == mills_id for line in own.results), "a vendor reads its own lines")

    for org in [acme, *members.values()]:
        ok(parties_put_organisation.sync_detailed(org, client=client(f"clerk-{org}", org=org), body=party(org)))
    ok(parties_put_vendor.sync_detailed(mills_id, client=mills, body=party("Mills")))
    ok(parties_put_vendor.sync_detailed(farm_id, client=farm, body=party("Farm")))

    settled = ok(settlement_create.sync_detailed(pool.id, client=organiser, idempotency_key=f"settle-{RUN}"), 201).data
    payables = sum(d.total for d in settled.documents if d.type_ == DocumentType.PAYABLE)
    receivables = sum(d.total for d in settled.documents if d.type_ == DocumentType.RECEIVABLE)
    fees = sum(d.fee for d in settled.documents)
    check(abs(receivables - payables - fees) < 0.005, "receivables == payables + fees")
    payable = next(d for d in settled.documents if d.counterparty == mills_id)
    as_json = ok(settlement_document.sync_detailed(pool.id, payable.id, client=mills)).data
    check(as_json.type_ == DocumentType.PAYABLE and as_json.number == payable.number, "its payable")
    ubl = invoice_xml(mills, pool.id, payable.id)
    check(ubl.startswith("<?xml") and "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in ubl, "a UBL invoice")
    check(payable.number in ubl, "the invoice carries the document's number")

    # What Mills' endpoint was given: its invitation, its award and its payable.
    for _ in range(100):
        page = ok(webhooks_list_deliveries.sync_detailed(endpoint.id, client=mills)).data
        got = sorted(d.event_type.value for d in page.items)
        if len(got) >= 3:
            break
        time.sleep(0.1)
    check(got == sorted(e.value for e in events), f"the vendor's deliveries: {got}")


def invoice_xml(who: AuthenticatedClient, pool_id: str, doc_id: str) -> str:
    """The document as UBL XML. The generator parses one body per status (the JSON one), so
    the XML answer is requested by the generated operation's own request builder and read
    from the generated client's transport instead of its parser."""
    kwargs = settlement_document._get_kwargs(pool_id, doc_id, accept=SettlementDocumentAccept.APPLICATIONXML)
    answer = who.get_httpx_client().request(**kwargs)
    check(answer.status_code == 200, f"XML: {answer.status_code}")
    check(answer.headers.get("content-type", "").startswith("application/xml"), "served as XML")
    return answer.text


def main() -> int:
    procurement_flow()
    print("python client: procurement: pool, If-Match, jobs, responses, settlement, UBL, vendor webhook: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
