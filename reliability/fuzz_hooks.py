"""Schemathesis hooks of scenario 5 (loaded through SCHEMATHESIS_HOOKS).

They give valid generated requests the chance the schema cannot give them, for the rules no
JSON Schema states; invalid (negative) parts are sent as generated, so the refusals stay
exercised. Each rule below is one the server enforces with a 4xx on data the schema allows:

- A client sends a fresh Idempotency-Key with each new request; the schema can say a key's
  shape (1-255 visible ASCII) but not that it is new, so the generator reuses short keys
  ("0", "!") across different bodies and most POSTs end as the documented 422 "already used
  for a different request". A valid generated key becomes a fresh UUID.
- Dates that must lie in the future (a procurement deadline, an RFQ's due date, a vendor
  quote's validity, a campaign's closesAt) depend on the clock: a generated one in the
  past becomes a date one to sixty days ahead.
- SKUs in one group buy and vendors in one RFQ must be unique (after trimming): a repeated
  vendor gets its position appended, every SKU a random tag (an organisation's open pools
  may not share a SKU either).
- A pool's rules must agree with its quantities (max_quantity >= target_quantity and
  min_commitment, max_per_member >= min_commitment) and name the fuzz organisations when
  they list eligible ones, so the peers can commit.
- Rules across two fields: a product's group price is below its regular price (a pair
  the other way round is swapped, an equal one gets a price of 1), a campaign's maxQuantity is at least its
  thresholds.minQuantity (raised to it; an edit that sends a cap sends a minimum at or
  below it, and never removes both thresholds), a transfer's target group is not its source (a
  fresh id instead).
- If-Match must be the ETag the client read: outside the stateful phase (whose links carry
  the ETag of the response they follow) a generated one can only be stale, a 412, so it is
  left out, as a client that does not use conditional requests does.

Operations on an id answer 404 for every id the fuzzer makes up, and the objects the
stateful phase creates rarely reach the state an operation needs (a settled pool, a paid
session, a published campaign) within one chain: in half of the valid cases outside the
stateful phase, such an operation is sent to a fixture in that state
(reliability/fuzz_fixtures.py, ids in GROUPBUY_FUZZ_FIXTURES), with the invited vendor's
token where only a vendor may act.

A public procurement pool is readable by every organisation by design, and schemathesis's
object-level check cannot tell it from a leak once the pool is off the first page of
`GET /groupbuy` (its "listed to the peer" exemption reads only that page): the pools the
fuzzer creates are made private, the ones with a boundary for Bob to cross.
"""

import datetime
import json
import os
import random
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# Body fields whose date must be after now, by operation (method, path).
FUTURE = {
    ("POST", "/groupbuy"): ("deadline",),
    ("POST", "/groupbuy/{id}/rfq"): ("due_date",),
    ("POST", "/groupbuy/{id}/rfq/responses"): ("valid_until",),
    ("POST", "/v2/handles/{handle}/group-buys"): ("closesAt",),
    ("PATCH", "/v2/handles/{handle}/group-buys/{groupBuySlug}"): ("closesAt",),
}
# Path parameters (and an Authorization) per operation label, from reliability/run.py.
FIXTURES = json.loads(os.environ.get("GROUPBUY_FUZZ_FIXTURES") or "{}")
# The organisations of the fuzz users (reliability/run.py).
FUZZ_ORGS = ("org-fuzz-alice", "org-fuzz-bob")
# Arrays whose members' field must be unique (trimmed), by operation.
UNIQUE = {
    ("POST", "/groupbuy"): ("items", "sku", 64, True),
    ("POST", "/groupbuy/{id}/rfq"): ("vendors", "vendor_id", 100, False),
}


def _negative(case, location) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def _phase(case) -> str:
    phase = getattr(case.meta, "phase", None) if case.meta is not None else None
    return getattr(getattr(phase, "name", None), "value", str(getattr(phase, "name", "")))


def _future(value) -> str | None:
    """A date one to sixty days ahead when `value` is an RFC 3339 date-time in the past."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    if when.tzinfo is None or when > now + datetime.timedelta(minutes=5):
        return None
    ahead = now + datetime.timedelta(days=random.randint(1, 60), seconds=random.randint(0, 86399))
    return ahead.strftime("%Y-%m-%dT%H:%M:%SZ")


def _unique(items, field: str, limit: int, everywhere: bool) -> None:
    """Unique in `items`, and with `everywhere` across the run: an organisation's open pools
    may not share a SKU (409 "Overlaps group buy"), so each generated SKU gets a random tag."""
    seen = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            continue
        value = item[field].strip()
        if everywhere:
            tag = "-" + uuid.uuid4().hex[:6]
            value = value[: limit - len(tag)].strip() + tag
            item[field] = value
        elif value in seen:
            suffix = f"-{i}"
            value = (value[: limit - len(suffix)] + suffix).strip()
            item[field] = value
        seen.add(value)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _procurement_rules(body: dict) -> None:
    """The pool's rules agree with its quantities (else a 409 "Contradictory rules"), and
    the fuzz organisations may commit to it."""
    target, least = body.get("target_quantity"), body.get("min_commitment")
    rules = body.get("rules")
    if not isinstance(rules, dict):
        return
    cap = rules.get("max_quantity")
    floor = max(n for n in (target, least, 1) if _number(n))
    if _number(cap) and cap < floor:
        rules["max_quantity"] = floor
    per_member = rules.get("max_per_member")
    if _number(per_member) and _number(least) and per_member < least:
        rules["max_per_member"] = least
    orgs = rules.get("eligible_orgs")
    if isinstance(orgs, list):
        orgs.extend(o for o in FUZZ_ORGS if o not in orgs and len(orgs) < 1000)


VAT_CATEGORIES = {"S", "Z", "E", "AE", "K", "G", "O"}


def _vat(value) -> None:
    """Every VAT object in a body ({category, rate}) states a rate that fits its category:
    S above 0, the others 0 or none (UNCL5305 as EN 16931 reads it; one schema cannot say
    that a field's range depends on another's value)."""
    if isinstance(value, list):
        for v in value:
            _vat(v)
        return
    if not isinstance(value, dict):
        return
    if value.get("category") in VAT_CATEGORIES and set(value) <= {"category", "rate"}:
        rate = value.get("rate")
        if value["category"] == "S":
            if not _number(rate) or rate <= 0:
                value["rate"] = 21
        elif rate is not None:
            value["rate"] = 0
        return
    for v in value.values():
        _vat(v)


def _cross_field(key, body: dict) -> None:
    _vat(body)
    if key == ("POST", "/groupbuy"):
        _procurement_rules(body)
    elif key == ("POST", "/api/v1/shops/{shopId}/products"):
        regular, group = body.get("regularPrice"), body.get("groupPrice")
        if _number(regular) and _number(group) and group > regular:
            body["regularPrice"], body["groupPrice"] = group, regular
        elif _number(regular) and group == regular:
            # 1 is a whole amount in every currency.
            if regular > 1:
                body["groupPrice"] = 1
            elif regular < 1:
                body["regularPrice"] = 1
    elif key == ("POST", "/api/v1/group-purchases/transfer"):
        if body.get("sourceGroupId") is not None and body.get("sourceGroupId") == body.get("targetGroupId"):
            body["targetGroupId"] = str(uuid.uuid4())
    elif key == ("POST", "/webhooks/endpoints"):
        # A vendor or organisation scope must be the caller's own (else 404, by design):
        # random ids only probe that refusal, which tests/api/push.rs proves per case.
        body.pop("vendor_id", None)
        body.pop("org_id", None)
    elif key == ("PATCH", "/v2/handles/{handle}/group-buys/{groupBuySlug}"):
        # An edit keeps at least one threshold (a null for both would leave none), and a
        # cap it sends stays at or above the minimum quantity, sent alongside it.
        thresholds = body.get("thresholds")
        if isinstance(thresholds, dict) and thresholds.get("minParticipants", 0) is None \
                and thresholds.get("minQuantity") is None:
            del thresholds["minParticipants"]
        cap = body.get("maxQuantity")
        if _number(cap):
            if not isinstance(thresholds, dict):
                thresholds = body["thresholds"] = {}
            least = thresholds.get("minQuantity")
            if not _number(least) or least > cap:
                thresholds["minQuantity"] = cap
    elif key == ("POST", "/v2/handles/{handle}/group-buys"):
        thresholds = body.get("thresholds")
        least = thresholds.get("minQuantity") if isinstance(thresholds, dict) else None
        cap = body.get("maxQuantity")
        if _number(least) and _number(cap) and cap < least:
            body["maxQuantity"] = least


def _fixture(case, headers: dict, key) -> None:
    fixture = FIXTURES.get(f"{key[0]} {key[1]}")
    if not fixture or _phase(case) == "stateful" or _negative(case, ParameterLocation.PATH):
        return
    if random.random() < 0.5:
        return
    for name, value in fixture.items():
        if name == "authorization":
            for h in [h for h in headers if h.lower() == "authorization"]:
                del headers[h]
            headers["Authorization"] = value
            case.headers = headers
        elif name == "body":
            if isinstance(case.body, dict) and not _negative(case, ParameterLocation.BODY):
                case.body.update(value)
        elif case.path_parameters is not None and name in case.path_parameters:
            case.path_parameters[name] = value


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        lower = name.lower()
        if lower == "idempotency-key" and not _negative(case, ParameterLocation.HEADER):
            headers[name] = str(uuid.uuid4())
        elif lower == "if-match" and _phase(case) != "stateful" and not _negative(case, ParameterLocation.HEADER):
            del headers[name]
    key = (case.method.upper(), case.path)
    _fixture(case, headers, key)
    body = case.body
    if isinstance(body, dict) and not _negative(case, ParameterLocation.BODY):
        for field in FUTURE.get(key, ()):
            ahead = _future(body.get(field))
            if ahead is not None:
                body[field] = ahead
        _cross_field(key, body)
        if key in UNIQUE:
            array, field, limit, everywhere = UNIQUE[key]
            if isinstance(body.get(array), list):
                _unique(body[array], field, limit, everywhere)
    if key == ("POST", "/groupbuy") and isinstance(body, dict):
        rules = body.get("rules")
        if rules is None:
            body["rules"] = {"visibility": "private"}
        elif isinstance(rules, dict):
            rules["visibility"] = "private"
