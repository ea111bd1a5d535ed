//! The HTTP calls of the fixtures and the load, and the tokens they carry (HS256 with
//! the secret the server is started with).

use crate::error::{setup, Result};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::Duration;

/// `GROUPBUY_JWT_SECRET` of every server the harness starts.
pub const SECRET: &str = "groupbuy-bench-secret-of-at-least-32-bytes";

/// What a wallet is credited with (major units): no join ever runs short.
const CREDIT: i64 = 1_000_000_000_000;

/// The claims groupbuy reads.
#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    name: &'a str,
    scope: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    roles: &'a [&'a str],
    exp: i64,
}

/// A token for `sub` with `roles`, valid for six hours.
pub fn token(sub: &str, roles: &[&str]) -> Result<String> {
    let claims = Claims {
        sub,
        name: sub,
        scope: "groupbuy:read groupbuy:write",
        roles,
        exp: time::OffsetDateTime::now_utc().unix_timestamp() + 6 * 3600,
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )?)
}

/// One HTTP client (its own keep-alive connections) talking to one server.
#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

/// The status and JSON body of an answer (`Null` when the body is not JSON).
pub type Answer = (u16, Value);

/// One read the load repeats: the path, the caller's token and, for a conditional read,
/// the validator it already holds.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// The path and query.
    pub path: String,
    /// `Authorization: Bearer` token, if any.
    pub bearer: Option<String>,
    /// `If-None-Match`, if any (a revalidation: the answer is 304 while nothing changed).
    pub if_none_match: Option<String>,
}

impl Read {
    /// The request lines wrk sends (`-H` values).
    pub fn headers(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(t) = &self.bearer {
            lines.push(format!("Authorization: Bearer {t}"));
        }
        if let Some(tag) = &self.if_none_match {
            lines.push(format!("If-None-Match: {tag}"));
        }
        lines
    }
}

impl Api {
    /// A client of the server at `base`.
    pub fn new(base: &str) -> Result<Self> {
        Ok(Self {
            base: base.to_owned(),
            // A request hanging a minute is a failure to report, not to wait for.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
        })
    }

    /// `POST path` with `body`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Result<Answer> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    /// `GET path`; the body is read (so the connection is reused) and returned.
    pub async fn get(&self, path: &str, token: &str) -> Result<Answer> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    /// The `ETag` a `GET path` by `token` answers with, if any.
    pub async fn etag(&self, path: &str, token: &str) -> Result<Option<String>> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        Ok(res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }

    /// `GET` of `read` (with its token and validator, if any), the body read but not parsed
    /// (the load loop: the client's CPU is the server's too on a small box).
    pub async fn get_status(&self, read: &Read) -> Result<u16> {
        let mut req = self.http.get(format!("{}{}", self.base, read.path));
        if let Some(t) = &read.bearer {
            req = req.bearer_auth(t);
        }
        if let Some(tag) = &read.if_none_match {
            req = req.header("If-None-Match", tag);
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        res.bytes().await?;
        Ok(status)
    }

    /// A shop and a group-buying product of `merchant` (80,000.00 a seat in groups of
    /// `group_max_size`, `stock` units); the product id.
    pub async fn product(&self, merchant: &str, group_max_size: i64, stock: i64) -> Result<String> {
        let shop = self
            .post("/api/v1/shops", merchant, &json!({"shopName": "Bench"}))
            .await?;
        let shop = field(&shop, 201, "shopId", "create shop")?;
        let body = json!({
            "productName": "Bench product", "regularPrice": 150000, "groupPrice": 80000,
            "stockQuantity": stock, "groupBuyingEnabled": true, "groupMaxSize": group_max_size,
            "groupTimeLimitHours": 24});
        let product = self
            .post(&format!("/api/v1/shops/{shop}/products"), merchant, &body)
            .await?;
        field(&product, 201, "productId", "create product")
    }

    /// Credits `user`'s wallet (as a platform admin).
    pub async fn credit(&self, admin: &str, user: &str) -> Result<()> {
        let body = json!({"amount": CREDIT, "reference": "bench"});
        let (status, body) = self
            .post(
                &format!("/api/v1/platform-admin/wallets/{user}/credit"),
                admin,
                &body,
            )
            .await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(setup(format!("credit {user}: {status} {body}")))
        }
    }

    /// `POST /checkout-sessions` for one seat, joining `group` or opening one.
    pub async fn checkout(
        &self,
        token: &str,
        product: &str,
        group: Option<&str>,
    ) -> Result<Answer> {
        let mut body =
            json!({"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1});
        if let Some(g) = group {
            body["metadata"] = json!({ "groupInstanceId": g });
        }
        self.post("/api/v1/checkout-sessions", token, &body).await
    }

    /// `POST /checkout-sessions/{id}/process-payment` from the wallet.
    pub async fn pay(&self, token: &str, session: &str) -> Result<Answer> {
        self.post(
            &format!("/api/v1/checkout-sessions/{session}/process-payment"),
            token,
            &json!({"paymentMethod": "WALLET"}),
        )
        .await
    }

    /// Checkout and payment that must succeed (fixtures); the group's id.
    pub async fn buy(&self, token: &str, product: &str, group: Option<&str>) -> Result<String> {
        let session = self.checkout(token, product, group).await?;
        let session = field(&session, 201, "sessionId", "checkout")?;
        let paid = self.pay(token, &session).await?;
        field(&paid, 200, "groupInstanceId", "payment")
    }
}

/// `data.<name>` of an answer that must have `status`.
fn field(answer: &Answer, status: u16, name: &str, what: &str) -> Result<String> {
    let (got, body) = answer;
    if *got != status {
        return Err(setup(format!(
            "{what}: expected {status}, got {got}: {body}"
        )));
    }
    body["data"][name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| setup(format!("{what}: no data.{name} in {body}")))
}
