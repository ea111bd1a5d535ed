//! Contention: many threads ship and cancel the same orders at once. Exactly one change
//! per order wins; every loser is refused with a 409; each cancelled order refunded and
//! restocked once; money and stock conserved.

use super::{cancel, complete, entries, merchant, ship, stock};
use crate::db::Database;
use crate::group_purchase::tests::{assert_money_conserved, ctx, product, t0};
use groupbuy_domain::order::{Order, OrderStatus, OrderStore};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::DomainError;
use std::sync::{Arc, Barrier};

/// Threads per order: half ship, half cancel.
const RACERS: usize = 8;

fn ship_and_cancel_race_exactly_one_wins(db: &Database) {
    let p = product(db, 3, None);
    let before = stock(db, p);
    let buyers: Vec<String> = (0..6).map(|i| format!("buyer-{i}")).collect();
    let names: Vec<&str> = buyers.iter().map(String::as_str).collect();
    let mut orders = complete(db, p, &names[..3]);
    orders.extend(complete(db, p, &names[3..]));
    let barrier = Arc::new(Barrier::new(orders.len() * RACERS));
    let handles: Vec<_> = orders
        .iter()
        .flat_map(|o| (0..RACERS).map(move |i| (o.id, i)))
        .map(|(id, i)| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let command = if i % 2 == 0 { ship() } else { cancel() };
                barrier.wait();
                (
                    id,
                    db.change(&merchant(), id, command, &ctx(t0()), Answer::none()),
                )
            })
        })
        .collect();
    let results: Vec<(uuid::Uuid, Result<Order, DomainError>)> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let mut restocked = 0;
    for o in &orders {
        let mine: Vec<&Result<Order, DomainError>> = results
            .iter()
            .filter(|(id, _)| *id == o.id)
            .map(|(_, r)| r)
            .collect();
        let won: Vec<&Order> = mine.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "exactly one change of order {} wins", o.id);
        for r in &mine {
            match r {
                Ok(_) => {}
                Err(DomainError::Conflict(c)) => assert!(
                    matches!(
                        c.kind(),
                        "order-not-shippable" | "order-not-cancellable" | "order-changed-meanwhile"
                    ),
                    "{c}"
                ),
                Err(e) => panic!("a loser is refused with a 409, not {e:?}"),
            }
        }
        let stored = db.order(&o.user_id, o.id).expect("order");
        assert_eq!(stored.status, won[0].status);
        let refunds = entries(db, &format!("order-cancel:{}", o.id)).len();
        if stored.status == OrderStatus::Cancelled {
            assert_eq!(refunds, 1, "a cancelled order is refunded once");
            restocked += i64::from(o.quantity);
        } else {
            assert_eq!(stored.status, OrderStatus::Shipped);
            assert_eq!(refunds, 0, "a shipped order is not refunded");
        }
    }
    assert_eq!(
        stock(db, p),
        before - 6 + restocked,
        "stock: sold units less the cancelled ones"
    );
    assert_money_conserved(db);
}

crate::on_both_backends!(ship_and_cancel_race_exactly_one_wins);
