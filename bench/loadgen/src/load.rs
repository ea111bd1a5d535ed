//! The scenarios' fixtures (over HTTP, as a client would make them) and their timed loops.

use crate::api::{token, Api, Read};
use crate::error::{setup, Result};
use crate::stats::{ClientRecord, Sample};
use futures_util::{stream, StreamExt, TryStreamExt};
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Fixture requests in flight at once.
const FIXTURE_CONCURRENCY: usize = 16;

/// Where the joins go.
#[derive(Debug, Clone, Copy)]
pub enum Layout {
    /// One group, large enough never to fill.
    Hot,
    /// Each join picks one of this many open groups at random, none of which fills.
    Spread(usize),
}

/// What a join run did: its figures and how many groups it opened (one seat each).
pub struct JoinRun {
    /// The timed joins.
    pub sample: Sample,
    /// Groups opened by the fixtures (each opener took one seat).
    pub groups: u64,
}

/// Credits `users` concurrently.
async fn credit_all(api: &Api, admin: &str, users: &[String]) -> Result<()> {
    stream::iter(users.iter().map(|u| api.credit(admin, u)))
        .buffer_unordered(FIXTURE_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

/// Fixtures, then `clients` clients looping checkout + payment for `seconds`.
pub async fn joins(base: &str, layout: Layout, clients: usize, seconds: u64) -> Result<JoinRun> {
    let api = Api::new(base)?;
    let merchant = token("bench-merchant", &["merchant"])?;
    let admin = token("bench-admin", &["platform-admin"])?;
    let (group_size, groups) = match layout {
        Layout::Hot => (1_000_000i64, 1usize),
        Layout::Spread(n) => (100_000, n),
    };
    // Every open group holds stock for all its seats.
    let product = api
        .product(&merchant, group_size, group_size * groups as i64)
        .await?;
    let openers: Vec<String> = (0..groups).map(|i| format!("opener-{i}")).collect();
    let users: Vec<String> = (0..clients).map(|i| format!("client-{i}")).collect();
    credit_all(&api, &admin, &openers).await?;
    credit_all(&api, &admin, &users).await?;
    let opened: Vec<String> = stream::iter(openers.iter().map(|u| {
        let (api, product) = (&api, &product);
        async move { api.buy(&token(u, &[])?, product, None).await }
    }))
    .buffer_unordered(FIXTURE_CONCURRENCY)
    .try_collect()
    .await?;
    let groups_ids = Arc::new(opened);
    let product = Arc::new(product);

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for user in &users {
        // One HTTP client per simulated client: its own keep-alive connection.
        let api = Api::new(base)?;
        let t = token(user, &[])?;
        let (groups, product) = (Arc::clone(&groups_ids), Arc::clone(&product));
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::from_entropy();
            let mut rec = ClientRecord::default();
            while Instant::now() < deadline {
                let group = &groups[rng.gen_range(0..groups.len())];
                let began = Instant::now();
                let session = match api.checkout(&t, &product, Some(group)).await {
                    Ok((201, body)) => body["data"]["sessionId"].as_str().map(str::to_owned),
                    Ok((status, _)) => {
                        rec.error(format!("checkout {status}"));
                        continue;
                    }
                    Err(_) => {
                        rec.error("checkout transport".into());
                        continue;
                    }
                };
                let Some(session) = session else {
                    rec.error("checkout without sessionId".into());
                    continue;
                };
                match api.pay(&t, &session).await {
                    Ok((status, _)) if (200..300).contains(&status) => {
                        rec.latencies.push(began.elapsed());
                    }
                    Ok((status, _)) => rec.error(format!("payment {status}")),
                    Err(_) => rec.error("payment transport".into()),
                }
            }
            rec
        }));
    }
    let records = collect(tasks).await?;
    Ok(JoinRun {
        sample: Sample::from_records(records, started.elapsed()),
        groups: groups as u64,
    })
}

/// The group whose reads are timed: what the read rows need to ask for it.
#[derive(Debug, Clone)]
pub struct DetailFixture {
    /// `/api/v1/group-purchases/{id}`.
    pub path: String,
    /// Its public page, `/g/{code}`.
    pub page: String,
    /// The detail's `ETag` as the reader got it (for the revalidation row).
    pub etag: String,
}

/// A group of `participants` members (each credited, joined over HTTP), checked to read
/// back with all of them before anything is timed.
pub async fn detail_fixture(base: &str, participants: usize) -> Result<DetailFixture> {
    let api = Api::new(base)?;
    let merchant = token("bench-merchant", &["merchant"])?;
    let admin = token("bench-admin", &["platform-admin"])?;
    let product = api.product(&merchant, 1_000_000, 1_000_000).await?;
    let members: Vec<String> = (0..participants).map(|i| format!("member-{i}")).collect();
    credit_all(&api, &admin, &members).await?;
    let Some((first, rest)) = members.split_first() else {
        return Err(setup("a group needs at least one participant"));
    };
    let group = api.buy(&token(first, &[])?, &product, None).await?;
    for m in rest {
        api.buy(&token(m, &[])?, &product, Some(&group)).await?;
    }
    let path = format!("/api/v1/group-purchases/{group}");
    let reader = token("reader", &[])?;
    // The fixture is what it claims to be before anything is timed.
    let (status, body) = api.get(&path, &reader).await?;
    let seen = body["data"]["participants"].as_array().map_or(0, Vec::len);
    if status != 200 || seen != participants {
        return Err(setup(format!(
            "group detail: expected 200 with {participants} participants, got {status} with {seen}"
        )));
    }
    let code = body["data"]["groupCode"]
        .as_str()
        .ok_or_else(|| setup("group detail: no groupCode"))?;
    let etag = api
        .etag(&path, &reader)
        .await?
        .ok_or_else(|| setup("group detail: no ETag"))?;
    Ok(DetailFixture {
        path,
        page: format!("/g/{code}"),
        etag,
    })
}

/// The built-in client's read loop (when wrk is not installed): `clients` connections,
/// each its own HTTP client, repeating `read` for `seconds` (a 304 counts as done: it is
/// the answer a revalidation asks for); errors are named after `what`.
pub async fn reads(
    base: &str,
    read: &Read,
    what: &str,
    clients: usize,
    seconds: u64,
) -> Result<Sample> {
    let read = Arc::new(read.clone());
    let what: Arc<str> = Arc::from(what);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let api = Api::new(base)?;
        let (read, what) = (Arc::clone(&read), Arc::clone(&what));
        tasks.push(tokio::spawn(async move {
            let mut rec = ClientRecord::default();
            while Instant::now() < deadline {
                let began = Instant::now();
                match api.get_status(&read).await {
                    Ok(status) if (200..300).contains(&status) || status == 304 => {
                        rec.latencies.push(began.elapsed());
                    }
                    Ok(status) => rec.error(format!("{what} {status}")),
                    Err(_) => rec.error(format!("{what} transport")),
                }
            }
            rec
        }));
    }
    let records = collect(tasks).await?;
    Ok(Sample::from_records(records, started.elapsed()))
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<ClientRecord>>) -> Result<Vec<ClientRecord>> {
    let mut records = Vec::with_capacity(tasks.len());
    for t in tasks {
        records.push(t.await.map_err(|e| setup(format!("client task: {e}")))?);
    }
    Ok(records)
}
