//! An idempotent payment's answer is stored on its key with the payment, and a payment
//! whose key another attempt answered first rolls back: alone, in a batch of one and in a
//! batch of many (the paths share [`crate::platform::answer::record`]).

use super::{assert_money_conserved, buy, ctx, fund, product, t0, tzs, user};
use crate::db::Database;
use groupbuy_domain::group_purchase::{
    CheckoutRequest, CheckoutSession, CheckoutStatus, GroupPurchaseStore,
};
use groupbuy_domain::platform::{
    answered_elsewhere, Answer, IdempotencyBegin, IdempotencyStore, StoredResponse,
};
use groupbuy_domain::wallet::WalletStore;
use std::sync::{Arc, Barrier};
use time::Duration;
use uuid::Uuid;

fn session(db: &Database, who: &str, product: Uuid, group: Option<Uuid>) -> CheckoutSession {
    let request = CheckoutRequest {
        product_id: product,
        quantity: 1,
        group_instance_id: group,
    };
    db.create_checkout(&user(who), request, &ctx(t0()), Answer::none())
        .expect("session")
}

/// The answer a test renders: the paid session's id and group.
fn answer_on(db: &Database, who: &str, key: &str) -> Answer<CheckoutSession> {
    let begun = db
        .begin(who, key, "fp", t0(), Duration::seconds(15))
        .expect("begin");
    assert_eq!(begun, IdempotencyBegin::Proceed);
    Answer::on_key(who, key, |s: &CheckoutSession| StoredResponse {
        status: 200,
        body: format!("{} {:?}", s.id, s.group_instance_id),
        content_type: "text/plain".into(),
        headers: Vec::new(),
    })
}

/// What a retry of `key` hears.
fn replayed(db: &Database, who: &str, key: &str) -> Option<String> {
    match db.begin(who, key, "fp", t0(), Duration::seconds(15)) {
        Ok(IdempotencyBegin::Replay(stored)) => Some(stored.body),
        _ => None,
    }
}

fn answers_commit_with_payments_alone_and_batched(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "opener", 200_000);
    // Alone: opening a group.
    let s = session(db, "opener", p, None);
    let answer = answer_on(db, "opener", "k-open");
    let paid = db
        .pay(&user("opener"), s.id, &ctx(t0()), answer.clone())
        .expect("paid");
    let body = format!("{} {:?}", paid.id, paid.group_instance_id);
    assert_eq!(answer.stored().map(|a| a.body), Some(body.clone()));
    assert_eq!(replayed(db, "opener", "k-open"), Some(body));
    let g = paid.group_instance_id.expect("group");
    // Batched: joiners racing into one group, each with its own key.
    let n = 6;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let who = format!("joiner-{i}");
            fund(db, &who, 200_000);
            let s = session(db, &who, p, Some(g));
            let answer = answer_on(db, &who, "k-join");
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let paid = db
                    .pay(&user(&who), s.id, &ctx(t0()), answer.clone())
                    .expect("paid");
                (who, paid, answer)
            })
        })
        .collect();
    for h in handles {
        let (who, paid, answer) = h.join().expect("payer");
        let body = format!("{} {:?}", paid.id, paid.group_instance_id);
        assert_eq!(answer.stored().map(|a| a.body), Some(body.clone()));
        assert_eq!(replayed(db, &who, "k-join"), Some(body));
    }
    assert_money_conserved(db);
}

fn a_payment_whose_key_was_answered_elsewhere_rolls_back(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "a", 200_000);
    let g = buy(db, "a", p, 1, None, t0()).expect("group");
    for (who, group) in [("late-opener", None), ("late-joiner", Some(g))] {
        fund(db, who, 200_000);
        let s = session(db, who, p, group);
        let answer = answer_on(db, who, "k");
        // Another attempt (its lease taken over) answered the key first.
        let elsewhere = StoredResponse {
            status: 200,
            body: "the other attempt".into(),
            content_type: "text/plain".into(),
            headers: Vec::new(),
        };
        db.complete(who, "k", elsewhere, t0()).expect("complete");
        let err = db
            .pay(&user(who), s.id, &ctx(t0()), answer.clone())
            .unwrap_err();
        assert_eq!(err, answered_elsewhere());
        assert_eq!(answer.stored(), None);
        assert_eq!(db.wallet(who, t0()).expect("wallet").balance, tzs(200_000));
        let again = db.checkout(&user(who), s.id).expect("session");
        assert_eq!(again.status, CheckoutStatus::PendingPayment);
        assert_eq!(replayed(db, who, "k").as_deref(), Some("the other attempt"));
    }
    assert_money_conserved(db);
}

crate::on_both_backends!(
    answers_commit_with_payments_alone_and_batched,
    a_payment_whose_key_was_answered_elsewhere_rolls_back,
);
