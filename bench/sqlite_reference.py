#!/usr/bin/env python3
"""The SQLite reference of `make bench`: the writes of one hot-group join
(checkout session, claim, wallet debit, ledger entry, seat, participant upsert, purchase
record, session result) from ONE connection, one BEGIN IMMEDIATE transaction per join,
WAL and synchronous=NORMAL, on a database migrated by `groupbuy migrate`.

    python3 bench/sqlite_reference.py DB_PATH SECONDS [CLIENTS]

Seeds the database (one shop, product, hot group, CLIENTS funded wallets; default 16), runs
joins round-robin over the clients for SECONDS and prints one JSON line:
{"joins": N, "seconds": S, "joins_per_s": R}. Standard library only.
"""

import datetime
import json
import sqlite3
import sys
import time

PRICE = 8_000_000
FUNDS = 100_000_000_000_000
GROUP = "bench-group-1"
CODE = "GP-B00001"


def now() -> str:
    # The text form Diesel stores TIMESTAMP columns in, so comparisons with the server's rows hold.
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(db: sqlite3.Connection, clients: int) -> None:
    t = now()
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime(
        "%Y-%m-%d %H:%M:%S.%f"
    )
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO shops (id, owner_id, name, logo, created_at) VALUES (?, ?, ?, NULL, ?)",
        ("bench-shop", "bench-merchant", "Bench shop", t),
    )
    db.execute(
        "INSERT INTO products (id, shop_id, name, image, currency, regular_price_minor,"
        " group_price_minor, stock_quantity, reserved_quantity, group_buying_enabled,"
        " group_max_size, group_time_limit_hours, max_per_customer, created_at, updated_at)"
        " VALUES ('bench-product', 'bench-shop', 'Bench product', NULL, 'TZS', 15000000, ?,"
        " 10000000, 1000000, 1, 1000000, '24', NULL, ?, ?)",
        (PRICE, t, t),
    )
    db.execute(
        "INSERT INTO group_instances (id, code, name, product_id, shop_id, initiator_id,"
        " initiator_name, currency, unit_price_minor, regular_price_minor, total_seats,"
        " seats_occupied, status, duration_hours, max_per_customer, created_at, expires_at,"
        " completed_at, updated_at)"
        " VALUES (?, ?, ?, 'bench-product', 'bench-shop', 'bench-merchant', 'bench', 'TZS', ?,"
        " 15000000, 1000000, 0, 'OPEN', '24', NULL, ?, ?, NULL, ?)",
        (GROUP, CODE, CODE + "-Bench product", PRICE, t, expires, t),
    )
    for i in range(clients):
        user = f"client-{i}"
        db.execute(
            "INSERT INTO wallets (user_id, currency, balance_minor, updated_at) VALUES (?, 'TZS', ?, ?)",
            (user, FUNDS, t),
        )
        db.execute(
            "INSERT INTO wallet_ledger (id, user_id, kind, amount_minor, balance_after_minor,"
            " currency, reference, created_at) VALUES (?, ?, 'CREDIT', ?, ?, 'TZS', 'bench', ?)",
            (f"credit-{i}", user, FUNDS, FUNDS, t),
        )
    db.execute("COMMIT")


def join(db: sqlite3.Connection, n: int, user: str) -> None:
    """One join, every write the server's checkout + payment make, in one transaction."""
    t = now()
    session, ledger = f"s-{n}", f"l-{n}"
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            "INSERT INTO checkout_sessions (id, user_id, product_id, quantity, currency,"
            " unit_price_minor, total_minor, status, group_instance_id, joins_existing,"
            " group_code, transaction_id, created_at, completed_at)"
            " VALUES (?, ?, 'bench-product', 1, 'TZS', ?, ?, 'PENDING_PAYMENT', ?, 1, NULL, NULL, ?, NULL)",
            (session, user, PRICE, PRICE, GROUP, t),
        )
        claimed = db.execute(
            "UPDATE checkout_sessions SET status = 'COMPLETED', completed_at = ?"
            " WHERE id = ? AND status = 'PENDING_PAYMENT'",
            (t, session),
        ).rowcount
        assert claimed == 1, "session not claimed"
        (balance,) = db.execute(
            "UPDATE wallets SET balance_minor = balance_minor - ?, updated_at = ?"
            " WHERE user_id = ? AND currency = 'TZS' AND balance_minor - ? >= 0"
            " RETURNING balance_minor",
            (PRICE, t, user, PRICE),
        ).fetchone()
        db.execute(
            "INSERT INTO wallet_ledger (id, user_id, kind, amount_minor, balance_after_minor,"
            " currency, reference, created_at) VALUES (?, ?, 'PURCHASE', ?, ?, 'TZS', ?, ?)",
            (ledger, user, -PRICE, balance, f"checkout:{session}", t),
        )
        seat = db.execute(
            "UPDATE group_instances SET seats_occupied = seats_occupied + 1, updated_at = ?"
            " WHERE id = ? AND status = 'OPEN' AND expires_at > ? AND seats_occupied + 1 <= total_seats"
            " RETURNING id",
            (t, GROUP, t),
        ).fetchone()
        assert seat is not None, "group refused the seat"
        (participant,) = db.execute(
            "INSERT INTO group_participants (id, group_id, user_id, user_name, user_picture,"
            " quantity, total_paid_minor, status, joined_at, purchase_count, has_transferred,"
            " checkout_session_id, updated_at)"
            " VALUES (?, ?, ?, 'client', NULL, 1, ?, 'ACTIVE', ?, 1, 0, ?, ?)"
            " ON CONFLICT (group_id, user_id) DO UPDATE SET quantity = quantity + 1,"
            " total_paid_minor = total_paid_minor + excluded.total_paid_minor,"
            " purchase_count = purchase_count + 1, updated_at = excluded.updated_at"
            " RETURNING id",
            (f"p-{n}", GROUP, user, PRICE, t, session, t),
        ).fetchone()
        db.execute(
            "INSERT INTO purchase_records (id, participant_id, checkout_session_id, quantity,"
            " amount_minor, currency, transaction_id, purchased_at)"
            " VALUES (?, ?, ?, 1, ?, 'TZS', ?, ?)",
            (f"r-{n}", participant, session, PRICE, ledger, t),
        )
        db.execute(
            "UPDATE checkout_sessions SET group_code = ?, transaction_id = ? WHERE id = ?",
            (CODE, ledger, session),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    path, seconds = sys.argv[1], float(sys.argv[2])
    clients = int(sys.argv[3]) if len(sys.argv) == 4 else 16
    # Autocommit mode: the script issues BEGIN IMMEDIATE / COMMIT itself.
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    seed(db, clients)
    joins = 0
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        join(db, joins, f"client-{joins % clients}")
        joins += 1
    elapsed = time.monotonic() - started
    db.close()
    print(json.dumps({"joins": joins, "seconds": elapsed, "joins_per_s": joins / elapsed}))


if __name__ == "__main__":
    main()
