//! The verifier against locally generated keys (testdata/, no network): every supported
//! algorithm, and the attacks of issue 19 refused.

use super::*;
use crate::platform::auth::{ClaimMap, JwtKeys};
use jsonwebtoken::{encode, EncodingKey};
use serde_json::json;
use std::sync::Arc;

const ISSUER: &str = "https://idp.test/realms/shop";
const AUDIENCE: &str = "groupbuy";
const SECRET: &str = "a-shared-secret-of-at-least-32-bytes!";

fn pem(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/src/platform/auth/testdata/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).expect("test key")
}

fn rsa1() -> EncodingKey {
    EncodingKey::from_rsa_pem(&pem("rsa1.pem")).expect("rsa1")
}
fn rsa2() -> EncodingKey {
    EncodingKey::from_rsa_pem(&pem("rsa2.pem")).expect("rsa2")
}
fn ec() -> EncodingKey {
    EncodingKey::from_ec_pem(&pem("ec.pem")).expect("ec")
}
fn ed() -> EncodingKey {
    EncodingKey::from_ed_pem(&pem("ed.pem")).expect("ed")
}

/// The public JWK of `key` under `kid`; `alg` written into it only when `named`.
fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str, named: bool) -> Value {
    let mut jwk =
        serde_json::to_value(Jwk::from_encoding_key(key, alg).expect("jwk")).expect("json");
    jwk["kid"] = kid.into();
    jwk["use"] = "sig".into();
    if !named {
        jwk.as_object_mut().expect("object").remove("alg");
    }
    jwk
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn payload() -> Value {
    json!({
        "sub": "alice", "iss": ISSUER, "aud": [AUDIENCE, "account"], "exp": now() + 300,
        "iat": now(), "scope": "openid groupbuy:read groupbuy:write",
        "realm_access": {"roles": ["merchant"]}, "org_id": "org_a",
        "preferred_username": "alice"
    })
}

fn sign(key: &EncodingKey, alg: Algorithm, kid: Option<&str>, payload: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, payload, key).expect("sign")
}

/// A key set file holding `keys`, and its path (removed by the caller).
fn key_file(keys: Vec<Value>) -> PathBuf {
    let path = std::env::temp_dir().join(format!("gb-jwks-{}.json", uuid::Uuid::new_v4()));
    write_keys(&path, keys);
    path
}

fn write_keys(path: &PathBuf, keys: Vec<Value>) {
    std::fs::write(path, json!({ "keys": keys }).to_string()).expect("write jwks");
}

async fn verifier(keys: Vec<Value>) -> (JwtKeys, Arc<Jwks>, PathBuf) {
    let path = key_file(keys);
    let jwks = Arc::new(
        Jwks::new(
            KeySource::File(path.clone()),
            ISSUER,
            AUDIENCE,
            Duration::from_secs(1),
        )
        .expect("jwks"),
    );
    jwks.refresh().await.expect("keys load");
    let claims = ClaimMap::from_lookup(|name| {
        (name == "GROUPBUY_JWT_ROLES_CLAIM").then(|| "/realm_access/roles".to_owned())
    })
    .expect("map");
    let keys = JwtKeys::provider_only(jwks.clone(), b"cookie").with_claim_map(claims);
    (keys, jwks, path)
}

fn standard_keys() -> Vec<Value> {
    vec![
        jwk(&rsa1(), Algorithm::RS256, "rsa1", false),
        jwk(&ec(), Algorithm::ES256, "ec", true),
        jwk(&ed(), Algorithm::EdDSA, "ed", true),
    ]
}

#[tokio::test]
async fn every_supported_algorithm_verifies_and_claims_are_mapped() {
    let (keys, _, path) = verifier(standard_keys()).await;
    for (key, alg, kid) in [
        (rsa1(), Algorithm::RS256, "rsa1"),
        (rsa1(), Algorithm::PS256, "rsa1"),
        (ec(), Algorithm::ES256, "ec"),
        (ed(), Algorithm::EdDSA, "ed"),
    ] {
        let token = sign(&key, alg, Some(kid), &payload());
        let principal = keys
            .verify(&token)
            .unwrap_or_else(|| panic!("{alg:?} refused"));
        assert_eq!(principal.user_id, "alice");
        assert!(principal.has_role("merchant"));
        assert_eq!(principal.org_id.as_deref(), Some("org_a"));
        assert!(principal.has_scope("groupbuy:write"));
        assert_eq!(principal.name.as_deref(), Some("alice"));
    }
    // without a kid, the key whose algorithm matches is tried
    let token = sign(&ec(), Algorithm::ES256, None, &payload());
    assert!(keys.verify(&token).is_some());
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn wrong_issuer_audience_or_times_are_refused() {
    let (keys, _, path) = verifier(standard_keys()).await;
    let refused = |change: &dyn Fn(&mut Value)| {
        let mut p = payload();
        change(&mut p);
        keys.verify(&sign(&rsa1(), Algorithm::RS256, Some("rsa1"), &p))
            .is_none()
    };
    assert!(!refused(&|_| {}));
    assert!(refused(
        &|p| p["iss"] = "https://other.test/realms/shop".into()
    ));
    assert!(refused(&|p| {
        p.as_object_mut().expect("object").remove("iss");
    }));
    assert!(refused(&|p| p["aud"] = "another-api".into()));
    assert!(refused(&|p| {
        p.as_object_mut().expect("object").remove("aud");
    }));
    assert!(refused(&|p| p["exp"] = (now() - 60).into()));
    assert!(refused(&|p| p["nbf"] = (now() + 600).into()));
    // longer than the maximum lifetime (24 h by default)
    assert!(refused(&|p| p["exp"] = (now() + 90_000).into()));
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn alg_none_and_hs256_signed_with_the_public_key_are_refused() {
    let (keys, _, path) = verifier(standard_keys()).await;
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": "rsa1"})),
        b64(&payload())
    );
    assert!(keys.verify(&none).is_none());
    // the public key (PEM, and the JWK's modulus) as an HS256 secret under the RSA key's kid
    let public_pem = pem("rsa1.pub.pem");
    let modulus = jwk(&rsa1(), Algorithm::RS256, "rsa1", false)["n"].clone();
    for secret in [public_pem.clone(), modulus.to_string().into_bytes()] {
        let token = sign(
            &EncodingKey::from_secret(&secret),
            Algorithm::HS256,
            Some("rsa1"),
            &payload(),
        );
        assert!(keys.verify(&token).is_none());
        // also when HS256 is on with the real secret
        let both = JwtKeys::new(SECRET, None, None).with_jwks(keys.jwks().expect("jwks").clone());
        assert!(both.verify(&token).is_none());
    }
    // an RSA key naming RS256 does not take PS256
    let (named, _, named_path) = verifier(vec![jwk(&rsa1(), Algorithm::RS256, "rsa1", true)]).await;
    assert!(named
        .verify(&sign(&rsa1(), Algorithm::RS256, Some("rsa1"), &payload()))
        .is_some());
    assert!(named
        .verify(&sign(&rsa1(), Algorithm::PS256, Some("rsa1"), &payload()))
        .is_none());
    // an EC key under an RSA kid's algorithm, or vice versa
    assert!(keys
        .verify(&sign(&ec(), Algorithm::ES256, Some("rsa1"), &payload()))
        .is_none());
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(named_path);
}

#[tokio::test]
async fn a_forged_kid_is_refused_and_an_unknown_one_refetches_at_most_once_per_interval() {
    let (keys, _, path) = verifier(standard_keys()).await;
    // a known kid, signed by another key
    let forged = sign(&rsa2(), Algorithm::RS256, Some("rsa1"), &payload());
    assert!(keys.verify_fetching(&forged).await.is_none());
    // a kid nobody published: refused after one refetch
    let unknown = sign(&rsa2(), Algorithm::RS256, Some("rsa2"), &payload());
    assert!(keys.verify_fetching(&unknown).await.is_none());
    // the provider rotates rsa2 in: a refetch within the interval does not happen...
    let mut rotated = standard_keys();
    rotated.insert(0, jwk(&rsa2(), Algorithm::RS256, "rsa2", true));
    write_keys(&path, rotated);
    assert!(keys.verify_fetching(&unknown).await.is_none());
    // ...the scheduled refresh picks it up, and the old key's tokens stay valid
    keys.jwks().expect("jwks").refresh().await.expect("refresh");
    assert!(keys.verify_fetching(&unknown).await.is_some());
    let old = sign(&rsa1(), Algorithm::RS256, Some("rsa1"), &payload());
    assert!(keys.verify(&old).is_some());
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_new_kid_is_fetched_on_first_sight() {
    let (keys, _, path) = verifier(standard_keys()).await;
    let mut rotated = standard_keys();
    rotated.push(jwk(&rsa2(), Algorithm::RS256, "rsa2", true));
    write_keys(&path, rotated);
    let token = sign(&rsa2(), Algorithm::RS256, Some("rsa2"), &payload());
    assert!(keys.verify(&token).is_none());
    assert!(keys.verify_fetching(&token).await.is_some());
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_set_without_signing_keys_never_loads_and_a_provider_gone_keeps_the_cache() {
    let mut encryption = jwk(&rsa1(), Algorithm::RS256, "enc", false);
    encryption["use"] = "enc".into();
    let mut ops = jwk(&ec(), Algorithm::ES256, "wrap", true);
    ops.as_object_mut().expect("object").remove("use");
    ops["key_ops"] = json!(["encrypt"]);
    let secret = json!({"kty": "oct", "k": "c2VjcmV0", "kid": "oct", "alg": "HS256"});
    let path = key_file(vec![encryption, ops, secret]);
    let jwks = Jwks::new(
        KeySource::File(path.clone()),
        ISSUER,
        AUDIENCE,
        Duration::from_secs(1),
    )
    .expect("jwks");
    assert!(jwks.refresh().await.is_err());
    assert!(!jwks.ready());
    let keys = JwtKeys::provider_only(Arc::new(jwks), b"cookie");
    assert!(!keys.ready());
    let token = sign(&rsa1(), Algorithm::RS256, Some("enc"), &payload());
    assert!(keys.verify_fetching(&token).await.is_none());
    let _ = std::fs::remove_file(&path);

    // loaded once, then the source disappears: cached keys keep working
    let (keys, jwks, path) = verifier(standard_keys()).await;
    assert!(keys.ready());
    std::fs::remove_file(&path).expect("remove");
    assert!(jwks.refresh().await.is_err());
    assert!(keys
        .verify(&sign(&ed(), Algorithm::EdDSA, Some("ed"), &payload()))
        .is_some());
}

#[test]
fn hs256_and_provider_tokens_are_accepted_side_by_side() {
    let keys = JwtKeys::new(SECRET, None, None);
    let own = keys
        .mint(&crate::platform::auth::Claims {
            sub: "service".into(),
            name: None,
            picture: None,
            scope: Some("groupbuy:read".into()),
            roles: vec![],
            org_id: None,
            exp: now() + 60,
            iat: None,
            iss: None,
            aud: None,
        })
        .expect("mint");
    assert_eq!(keys.verify(&own).expect("hs256").user_id, "service");
    // provider-only keys take no HS256 token at all, and cannot mint
    let jwks = Arc::new(
        Jwks::new(
            KeySource::Discovery,
            ISSUER,
            AUDIENCE,
            Duration::from_secs(1),
        )
        .expect("jwks"),
    );
    let provider_only = JwtKeys::provider_only(jwks, b"cookie");
    assert!(provider_only.verify(&own).is_none());
}

#[test]
fn cache_control_sets_freshness_within_bounds() {
    assert_eq!(max_age(None), DEFAULT_MAX_AGE);
    assert_eq!(
        max_age(Some("public, max-age=3600")),
        Duration::from_secs(3600)
    );
    assert_eq!(max_age(Some("max-age=1")), MIN_MAX_AGE);
    assert_eq!(max_age(Some("max-age=99999999")), MAX_MAX_AGE);
    assert_eq!(max_age(Some("no-store")), MIN_MAX_AGE);
    assert_eq!(max_age(Some("garbage")), DEFAULT_MAX_AGE);
}

#[test]
fn discovery_must_name_exactly_the_configured_issuer() {
    let document = |issuer: &str| {
        json!({"issuer": issuer, "jwks_uri": "https://idp.test/certs"})
            .to_string()
            .into_bytes()
    };
    assert_eq!(
        jwks_uri(&document(ISSUER), ISSUER).as_deref(),
        Ok("https://idp.test/certs")
    );
    assert!(jwks_uri(&document("https://evil.test"), ISSUER).is_err());
    assert!(jwks_uri(&document(&format!("{ISSUER}/")), ISSUER).is_err());
    assert!(jwks_uri(b"{\"issuer\": \"x\"}", "x").is_err());
}

/// With the shared secret alone (no provider), only HS256 with that secret passes: the
/// header is left to `decode`, which refuses `none`, other algorithms and other secrets.
#[test]
fn the_secret_alone_takes_only_hs256_with_that_secret() {
    use base64::Engine;
    let keys = JwtKeys::new(SECRET, None, None);
    let good = sign(
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::HS256,
        None,
        &payload(),
    );
    assert!(keys.verify(&good).is_some());
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&payload()));
    let refused = [
        none,
        sign(&rsa1(), Algorithm::RS256, None, &payload()),
        sign(
            &EncodingKey::from_secret(b"another-secret-of-at-least-32-bytes!!"),
            Algorithm::HS256,
            None,
            &payload(),
        ),
        sign(
            &EncodingKey::from_secret(SECRET.as_bytes()),
            Algorithm::HS384,
            None,
            &payload(),
        ),
        format!("{good}x"),
    ];
    for token in refused {
        assert!(keys.verify(&token).is_none(), "{token}");
    }
}

#[test]
fn a_configured_issuer_and_audience_must_be_in_every_shared_secret_token() {
    let keys = JwtKeys::new(SECRET, Some("https://groupbuy.example"), Some("groupbuy"));
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let with = |extra: Value| {
        let mut claims = payload();
        let map = claims.as_object_mut().expect("object");
        map.remove("iss");
        map.remove("aud");
        for (k, v) in extra.as_object().expect("object") {
            claims[k] = v.clone();
        }
        sign(&key, Algorithm::HS256, None, &claims)
    };
    let both = json!({"iss": "https://groupbuy.example", "aud": "groupbuy"});
    assert!(keys.verify(&with(both)).is_some());
    for (what, claims) in [
        ("neither", json!({})),
        ("no aud", json!({"iss": "https://groupbuy.example"})),
        ("no iss", json!({"aud": "groupbuy"})),
        (
            "another audience",
            json!({"iss": "https://groupbuy.example", "aud": "billing"}),
        ),
    ] {
        assert!(keys.verify(&with(claims)).is_none(), "{what}");
    }
}
