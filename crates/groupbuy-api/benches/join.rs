//! `make bench-join`: checkout + payment on ONE hot group (large enough never to fill)
//! with 16 and 64 concurrent clients for a fixed time, on SQLite and (when
//! GROUPBUY_TEST_POSTGRES_URL is set) PostgreSQL, against the real server built in
//! release mode; then the invariants; then pgbench running the same transaction's SQL
//! (bench/pgbench/join.sql) so the database's own ceiling is measured in the same run.
//!
//! GROUPBUY_BENCH_SECONDS (default 10) sets the duration of each run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use groupbuy_api::platform::auth::{Claims, JwtKeys};
use groupbuy_api::platform::rate_limit::RateLimitConfig;
use groupbuy_api::{Application, Config};
use groupbuy_store::testing::TestDatabase;
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

struct Run {
    backend: &'static str,
    clients: usize,
    joins: usize,
    errors: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

fn token(keys: &JwtKeys, sub: &str, roles: &[&str]) -> String {
    keys.mint(&Claims {
        sub: sub.into(),
        name: Some(sub.into()),
        picture: None,
        scope: Some("groupbuy:read groupbuy:write".into()),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        org_id: None,
        exp: time::OffsetDateTime::now_utc().unix_timestamp() + 3600,
        iat: None,
        iss: None,
        aud: None,
    })
    .unwrap()
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let res = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn run(backend: &'static str, db: TestDatabase, clients: usize, seconds: u64) -> Run {
    let config = Config {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some(SECRET.into()),
        pool_size: if backend == "postgres" { 8 } else { 4 },
        workers: Some(2),
        // The bench measures the join path's ceiling, not the limiter: 64 clients looping
        // as fast as they can would run into the per-caller limits.
        rate_limits: RateLimitConfig::disabled(),
        ..Config::default()
    };
    let app = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run());
    let keys = JwtKeys::new(SECRET, None, None);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let merchant = token(&keys, "merchant", &["merchant"]);
    let admin = token(&keys, "admin", &["platform-admin"]);
    let (_, shop) = post(
        &client,
        format!("{base}/api/v1/shops"),
        &merchant,
        json!({"shopName": "Bench"}),
    )
    .await;
    let shop = shop["data"]["shopId"].as_str().unwrap().to_owned();
    let (_, product) = post(&client, format!("{base}/api/v1/shops/{shop}/products"), &merchant, json!({
        "productName": "Bench product", "regularPrice": 150000, "groupPrice": 80000, "stockQuantity": 10_000_000,
        "groupBuyingEnabled": true, "groupMaxSize": 1_000_000, "groupTimeLimitHours": 24})).await;
    let product = product["data"]["productId"].as_str().unwrap().to_owned();
    let users: Vec<String> = (0..clients).map(|i| format!("client-{i}")).collect();
    for u in &users {
        post(
            &client,
            format!("{base}/api/v1/platform-admin/wallets/{u}/credit"),
            &admin,
            json!({"amount": 1_000_000_000_000i64, "reference": "bench"}),
        )
        .await;
    }
    let opener = token(&keys, &users[0], &[]);
    let (_, s) = post(
        &client,
        format!("{base}/api/v1/checkout-sessions"),
        &opener,
        json!({"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1}),
    )
    .await;
    let sid = s["data"]["sessionId"].as_str().unwrap().to_owned();
    let (_, paid) = post(
        &client,
        format!("{base}/api/v1/checkout-sessions/{sid}/process-payment"),
        &opener,
        json!({"paymentMethod": "WALLET"}),
    )
    .await;
    let group = paid["data"]["groupInstanceId"].as_str().unwrap().to_owned();

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = users
        .iter()
        .map(|u| {
            let (client, base, product, group) = (client.clone(), base.clone(), product.clone(), group.clone());
            let t = token(&keys, u, &[]);
            actix_web::rt::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let began = Instant::now();
                    let (st, s) = post(&client, format!("{base}/api/v1/checkout-sessions"), &t, json!({
                        "sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1, "metadata": {"groupInstanceId": group}})).await;
                    if st != 201 {
                        errors += 1;
                        continue;
                    }
                    let sid = s["data"]["sessionId"].as_str().unwrap().to_owned();
                    let (st, _) = post(&client, format!("{base}/api/v1/checkout-sessions/{sid}/process-payment"), &t, json!({"paymentMethod": "WALLET"})).await;
                    if st == 200 {
                        latencies.push(began.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };

    // Invariants: every successful join is one seat and one debit, nothing else moved.
    let viewer = token(&keys, &users[0], &[]);
    let detail: Value = client
        .get(format!("{base}/api/v1/group-purchases/{group}"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seats = detail["data"]["seatsOccupied"].as_u64().unwrap() as usize;
    let active: u64 = detail["data"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["quantity"].as_u64().unwrap())
        .sum();
    assert_eq!(
        seats,
        all.len() + 1,
        "seats == successful joins + the opener's"
    );
    assert_eq!(seats as u64, active, "seats == sum of ACTIVE quantities");
    let mut spent_minor: i128 = 0;
    for u in &users {
        let t = token(&keys, u, &[]);
        let w: Value = client
            .get(format!("{base}/api/v1/wallet"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let balance = w["data"]["balance"]
            .to_string()
            .replace('.', "")
            .parse::<i128>()
            .unwrap();
        spent_minor += 100_000_000_000_000i128 - balance;
    }
    assert_eq!(
        spent_minor,
        seats as i128 * 8_000_000,
        "money conserved: debits == seats x price"
    );
    drop(db);
    Run {
        backend,
        clients,
        joins: all.len(),
        errors,
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

fn pgbench(admin_url: &str, clients: usize, seconds: u64) -> Option<f64> {
    let db = TestDatabase::postgres()?;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/pgbench");
    let psql = Command::new("psql")
        .args([db.url.as_str(), "-q", "-f", &format!("{root}/setup.sql")])
        .output()
        .ok()?;
    if !psql.status.success() {
        eprintln!(
            "pgbench setup failed: {}",
            String::from_utf8_lossy(&psql.stderr)
        );
        return None;
    }
    let _ = admin_url;
    let out = Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
            &format!("{root}/join.sql"),
            db.url.as_str(),
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| {
            l.trim_start_matches("tps = ")
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
}

fn main() {
    let seconds: u64 = std::env::var("GROUPBUY_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let pg_url = std::env::var(groupbuy_store::testing::POSTGRES_ENV)
        .ok()
        .filter(|u| !u.is_empty());
    let mut runs = Vec::new();
    actix_web::rt::System::new().block_on(async {
        for clients in [16usize, 64] {
            runs.push(run("sqlite", TestDatabase::sqlite(), clients, seconds).await);
            if let Some(db) = TestDatabase::postgres() {
                runs.push(run("postgres", db, clients, seconds).await);
            }
        }
    });
    println!("\njoin benchmark: checkout + process-payment on one hot group, {seconds}s per run, release build");
    println!("| backend | clients | joins/s | p50 ms | p99 ms | errors | pgbench tps (same SQL) | ratio |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &runs {
        let rate = r.joins as f64 / r.elapsed.as_secs_f64();
        let pg = if r.backend == "postgres" {
            pg_url
                .as_deref()
                .and_then(|u| pgbench(u, r.clients, seconds))
        } else {
            None
        };
        let (pg_text, ratio) = match pg {
            Some(tps) => (format!("{tps:.0}"), format!("{:.2}", rate / tps)),
            None => ("-".into(), "-".into()),
        };
        println!(
            "| {} | {} | {:.0} | {:.1} | {:.1} | {} | {} | {} |",
            r.backend,
            r.clients,
            rate,
            r.p50.as_secs_f64() * 1000.0,
            r.p99.as_secs_f64() * 1000.0,
            r.errors,
            pg_text,
            ratio
        );
    }
    println!("invariants held after every run (seats == joins, seats == sum of ACTIVE quantities, debits == seats x price)");
}
