"""Seed 001's four test scenarios and a campaign lifecycle, through the generated Python
client only (clients/run.sh generates `groupbuy_client` from the live /openapi.json).

Environment: GROUPBUY_URL (the server), GROUPBUY_BIN (the `groupbuy` binary, used only
to mint test tokens with `groupbuy token`). Exits non-zero on the first broken step.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from typing import Callable, TypeVar

from groupbuy_client import AuthenticatedClient, Client
from groupbuy_client.api.campaigns import (
    group_buys_close,
    group_buys_create,
    group_buys_list_audit,
    group_buys_pause,
    group_buys_publish,
    handles_create,
)
from groupbuy_client.api.campaigns_public import (
    public_group_buys_get,
    public_group_buys_put_my_interest,
)
from groupbuy_client.api.catalog import products_create, products_get_by_id, shops_create
from groupbuy_client.api.checkout import (
    checkout_sessions_create,
    checkout_sessions_process_payment,
    orders_get_by_id,
    orders_list_mine,
)
from groupbuy_client.api.group_purchases import (
    group_purchases_get_by_id,
    group_purchases_list_my_participations,
    group_purchases_transfer,
)
from groupbuy_client.api.wallet import wallet_admin_credit, wallet_get, wallet_list_transactions
from groupbuy_client.models import (
    AuditAction,
    CheckoutMetadata,
    CheckoutSessionView,
    CheckoutStatus,
    CreateCheckoutRequest,
    CreateGroupBuyRequest,
    CreateHandleRequest,
    CreateProductRequest,
    CreateShopRequest,
    CreditRequest,
    EnvelopeGroupView,
    EnvelopeProductView,
    GroupBuyStatus,
    GroupStatus,
    GroupView,
    InterestBody,
    LedgerKind,
    ParticipantStatus,
    PaymentMethod,
    Problem,
    ProcessPaymentRequest,
    ProductView,
    SessionType,
    ThresholdsBody,
    TransferRequest,
)
from groupbuy_client.types import Response

URL = os.environ.get("GROUPBUY_URL", "http://127.0.0.1:8080")
BIN = os.environ.get("GROUPBUY_BIN", "target/debug/groupbuy")
RUN = uuid.uuid4().hex[:8]  # keeps users, handles and slugs of reruns apart

T = TypeVar("T")


def token(sub: str, *roles: str) -> str:
    """A test token signed by the binary (the same secret as the server)."""
    args = [BIN, "token", "--sub", f"{sub}-{RUN}", "--name", sub]
    for role in roles:
        args += ["--role", role]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def user(sub: str, *roles: str) -> AuthenticatedClient:
    """A client that sends `sub`'s bearer token."""
    return AuthenticatedClient(base_url=URL, token=token(sub, *roles))


def anonymous_visitor() -> AuthenticatedClient:
    """A visitor without a token, remembered by the `gb_visitor` cookie the server sets.

    The generator asks for an AuthenticatedClient on every operation whose `security` is
    not empty, optional ones (`[{}, {bearer: []}]`) included; this one sends no token
    (its auth header is a name the server ignores). Its httpx client keeps the cookie.
    """
    return AuthenticatedClient(base_url=URL, token="", prefix="", auth_header_name="X-No-Token")


def ok(response: Response[T | Problem], status: int = 200) -> T:
    """The parsed body of a success with `status`, else a failure naming what came back."""
    parsed = response.parsed
    if response.status_code != status or parsed is None or isinstance(parsed, Problem):
        raise AssertionError(
            f"expected {status}, got {response.status_code}: {response.content.decode()}"
        )
    return parsed


def refused(response: Response[T | Problem], status: int) -> Problem:
    """The problem of a refusal with `status`."""
    parsed = response.parsed
    if response.status_code != status or not isinstance(parsed, Problem):
        raise AssertionError(
            f"expected {status}, got {response.status_code}: {response.content.decode()}"
        )
    return parsed


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def describe(product: ProductView) -> str:
    """Takes the one ProductView type that every product operation returns."""
    return f"{product.product_name}: {product.group_price} {product.currency.value}"


def product(merchant: AuthenticatedClient, *, seats: int, hours: float = 24) -> ProductView:
    shop = ok(shops_create.sync_detailed(client=merchant, body=CreateShopRequest(shop_name="TechWorld")), 201)
    body = CreateProductRequest(
        product_name="Premium Wireless Headphones",
        regular_price=150000,
        group_price=80000,
        stock_quantity=1000,
        group_buying_enabled=True,
        group_max_size=seats,
        group_time_limit_hours=hours,
        max_per_customer=seats,
    )
    created = ok(products_create.sync_detailed(shop.data.shop_id, client=merchant, body=body), 201)
    # A GET may also answer 304 (no body), so the generated type is widened by Any: say
    # which success this is.
    fetched: EnvelopeProductView = ok(
        products_get_by_id.sync_detailed(created.data.product_id, client=Client(base_url=URL))
    )
    check(describe(fetched.data) == describe(created.data), "same product, same type")
    return fetched.data


def credit(admin: AuthenticatedClient, sub: str, amount: float) -> None:
    body = CreditRequest(amount=amount, reference="client top-up")
    entry = ok(
        wallet_admin_credit.sync_detailed(
            f"{sub}-{RUN}", client=admin, body=body, idempotency_key=f"credit-{sub}-{RUN}"
        ),
        201,
    )
    check(entry.data.kind == LedgerKind.CREDIT, "a credit is a CREDIT")


def buy(
    buyer: AuthenticatedClient, product_id: uuid.UUID, quantity: int, group: uuid.UUID | None = None
) -> CheckoutSessionView:
    """Opens a checkout session and pays it from the wallet (retry-safe key)."""
    metadata = CheckoutMetadata(group_instance_id=group) if group else None
    body = CreateCheckoutRequest(
        session_type=SessionType.GROUP_PURCHASE, product_id=product_id, quantity=quantity, metadata=metadata
    )
    session = ok(checkout_sessions_create.sync_detailed(client=buyer, body=body), 201).data
    check(session.status == CheckoutStatus.PENDING_PAYMENT, "a new session waits for payment")
    paid = ok(
        checkout_sessions_process_payment.sync_detailed(
            session.session_id,
            client=buyer,
            body=ProcessPaymentRequest(payment_method=PaymentMethod.WALLET),
            idempotency_key=f"pay-{session.session_id}",
        )
    ).data
    # process-payment answers any kind of session; a group purchase's is this one.
    if not isinstance(paid, CheckoutSessionView):
        raise AssertionError(f"a group purchase's session, not {type(paid).__name__}")
    check(paid.status == CheckoutStatus.COMPLETED, "paid")
    check(isinstance(paid.completed_at, datetime.datetime), "instants are datetimes")
    return paid


def group_of(session: CheckoutSessionView) -> uuid.UUID:
    group = session.group_instance_id
    if not isinstance(group, uuid.UUID):
        raise AssertionError("a paid session names its group")
    return group


def group(viewer: AuthenticatedClient, group_id: uuid.UUID) -> GroupView:
    envelope: EnvelopeGroupView = ok(group_purchases_get_by_id.sync_detailed(group_id, client=viewer))
    return envelope.data


def scenario_1(admin: AuthenticatedClient, merchant: AuthenticatedClient) -> None:
    """A opens a group with 2 seats, B joins with 3, C fills the last 5: COMPLETED, orders."""
    p = product(merchant, seats=10)
    a, b, c = user("a"), user("b"), user("c")
    for sub in ("a", "b", "c"):
        credit(admin, sub, 1_000_000)
    g = group_of(buy(a, p.product_id, 2))
    buy(b, p.product_id, 3, g)
    half = group(a, g)
    check(half.seats_occupied == 5 and half.status == GroupStatus.OPEN, "5 of 10 seats")
    check(half.group_name == f"{half.group_code}-{p.product_name}", "default group name")
    buy(c, p.product_id, 5, g)
    done = group(a, g)
    check(done.status == GroupStatus.COMPLETED and done.is_full, "the last seat completes the group")
    check(isinstance(done.completed_at, datetime.datetime), "completedAt is a datetime")
    for buyer in (a, b, c):
        orders = ok(orders_list_mine.sync_detailed(client=buyer)).data.items
        check(len(orders) == 1 and orders[0].group_instance_id == g, "one order per participant")
        ok(orders_get_by_id.sync_detailed(orders[0].order_id, client=buyer))
    full = refused(
        checkout_sessions_create.sync_detailed(
            client=a,
            body=CreateCheckoutRequest(
                session_type=SessionType.GROUP_PURCHASE,
                product_id=p.product_id,
                quantity=1,
                metadata=CheckoutMetadata(group_instance_id=g),
            ),
        ),
        400,
    )
    check(full.message == "Group is full. Seats occupied: 10/10", full.message)


def scenario_2(admin: AuthenticatedClient, merchant: AuthenticatedClient) -> None:
    """A holds 3 seats in group 1 and moves 2 of them to group 2."""
    p = product(merchant, seats=10)
    a, b = user("a2"), user("b2")
    credit(admin, "a2", 1_000_000)
    credit(admin, "b2", 1_000_000)
    g1 = group_of(buy(a, p.product_id, 3))
    g2 = group_of(buy(b, p.product_id, 1))
    moved = ok(
        group_purchases_transfer.sync_detailed(
            client=a, body=TransferRequest(source_group_id=g1, target_group_id=g2, quantity=2)
        )
    ).data
    check(moved.quantity == 2 and moved.has_transferred, "2 seats moved")
    check(moved.transfer_history[0].reason.startswith("Transferred 2 seats from group GP-"), "reason")
    mine = ok(group_purchases_list_my_participations.sync_detailed(client=a)).data
    by_group = {m.group_instance_id: m for m in mine}
    check(by_group[g1].quantity == 1 and by_group[g2].quantity == 2, "1 seat left, 2 moved")
    check(all(m.status == ParticipantStatus.ACTIVE for m in mine), "both ACTIVE")


def scenario_3(admin: AuthenticatedClient, merchant: AuthenticatedClient) -> None:
    """A group that expires fails and refunds its participants (the server sweeps often)."""
    p = product(merchant, seats=5, hours=0.0003)  # about a second
    a = user("a3")
    credit(admin, "a3", 500_000)
    g = group_of(buy(a, p.product_id, 2))
    for _ in range(150):
        view = group(a, g)
        if view.status == GroupStatus.FAILED and all(
            x.status == ParticipantStatus.REFUNDED for x in view.participants
        ):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the group did not fail and refund in 15 s")
    check(view.is_expired, "expired")
    check(ok(wallet_get.sync_detailed(client=a)).data.balance == 500000, "refunded in full")
    ledger = ok(wallet_list_transactions.sync_detailed(client=a)).data.items
    check(ledger[0].kind == LedgerKind.REFUND, "the last entry is the REFUND")


def scenario_4(admin: AuthenticatedClient, merchant: AuthenticatedClient) -> None:
    """A opens a group with 2 seats and buys 3 more in it: 5 seats, 2 purchases."""
    p = product(merchant, seats=10)
    a = user("a4")
    credit(admin, "a4", 1_000_000)
    g = group_of(buy(a, p.product_id, 2))
    buy(a, p.product_id, 3, g)
    mine = ok(group_purchases_list_my_participations.sync_detailed(client=a)).data
    check(len(mine) == 1, "one participation")
    check(mine[0].quantity == 5 and mine[0].purchase_count == 2, "5 seats from 2 purchases")
    check(len(mine[0].purchase_history) == 2 and mine[0].total_paid == 400000, "history and money")


def campaign_lifecycle(admin: AuthenticatedClient) -> None:
    """Handle, DRAFT group-buy, publish, public interest, pause, close."""
    merchant = user("gharart", "merchant")
    handle = f"gharart-{RUN}"
    ok(handles_create.sync_detailed(client=merchant, body=CreateHandleRequest(handle=handle, display_name="Gharart")), 201)
    closes = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
    body = CreateGroupBuyRequest(
        slug="teak-lamps",
        title="Teak lamps",
        unit_price=45000,
        thresholds=ThresholdsBody(min_participants=2, min_quantity=3),
        max_quantity=100,
        closes_at=closes,
    )
    draft = ok(group_buys_create.sync_detailed(handle, client=merchant, body=body), 201).data
    check(draft.status == GroupBuyStatus.DRAFT, "created as DRAFT")
    public = Client(base_url=URL)
    refused(public_group_buys_get.sync_detailed(handle, "teak-lamps", client=public), 404)
    published = ok(group_buys_publish.sync_detailed(handle, "teak-lamps", client=merchant)).data
    check(published.status == GroupBuyStatus.PUBLISHED, "PUBLISHED")
    ok(public_group_buys_get.sync_detailed(handle, "teak-lamps", client=public))
    visitor = anonymous_visitor()
    first = public_group_buys_put_my_interest.sync_detailed(
        handle, "teak-lamps", client=visitor, body=InterestBody(quantity=1)
    )
    ok(first, 201)
    again = ok(
        public_group_buys_put_my_interest.sync_detailed(
            handle, "teak-lamps", client=visitor, body=InterestBody(quantity=1)
        )
    ).data
    check(again.visitor_id.startswith("visitor:"), "the cookie names the same visitor")
    not_yet = refused(group_buys_close.sync_detailed(handle, "teak-lamps", client=merchant), 409)
    check(not_yet.message == "Cannot close: thresholds not met: participants 1/2, quantity 1/3", not_yet.message)
    alice = user("alice")
    ok(
        public_group_buys_put_my_interest.sync_detailed(
            handle, "teak-lamps", client=alice, body=InterestBody(quantity=2)
        ),
        201,
    )
    paused = ok(group_buys_pause.sync_detailed(handle, "teak-lamps", client=merchant)).data
    check(paused.status == GroupBuyStatus.PAUSED and paused.progress.met, "PAUSED, thresholds met")
    refused(
        public_group_buys_put_my_interest.sync_detailed(
            handle, "teak-lamps", client=alice, body=InterestBody(quantity=3)
        ),
        409,
    )
    closed = ok(group_buys_close.sync_detailed(handle, "teak-lamps", client=merchant)).data
    check(closed.status == GroupBuyStatus.CLOSED and not closed.allowed_actions, "CLOSED, final")
    audit = ok(group_buys_list_audit.sync_detailed(handle, "teak-lamps", client=merchant)).data.items
    actions = {e.action for e in audit}
    check(
        {AuditAction.CREATE, AuditAction.PUBLISH, AuditAction.PAUSE, AuditAction.CLOSE} <= actions,
        f"audited: {actions}",
    )


def main() -> int:
    admin = user("admin", "platform-admin")
    merchant = user("merchant", "merchant")
    steps: list[tuple[str, Callable[[], None]]] = [
        ("seed 001 scenario 1: create and complete a group", lambda: scenario_1(admin, merchant)),
        ("seed 001 scenario 2: transfer between groups", lambda: scenario_2(admin, merchant)),
        ("seed 001 scenario 3: expiry fails and refunds", lambda: scenario_3(admin, merchant)),
        ("seed 001 scenario 4: multiple purchases", lambda: scenario_4(admin, merchant)),
        ("campaign lifecycle", lambda: campaign_lifecycle(admin)),
    ]
    for name, step in steps:
        step()
        print(f"python client: {name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
