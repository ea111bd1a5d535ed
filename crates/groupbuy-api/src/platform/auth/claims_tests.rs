use super::*;
use crate::platform::auth::{SCOPE_READ, SCOPE_WRITE};
use serde_json::json;

fn claims(sub: &str, exp: i64) -> Claims {
    Claims {
        sub: sub.into(),
        name: Some("Alice".into()),
        picture: None,
        scope: Some("groupbuy:read".into()),
        roles: vec!["merchant".into()],
        org_id: None,
        exp,
        iat: None,
        iss: None,
        aud: None,
    }
}

fn map(settings: &[(&str, &str)]) -> ClaimMap {
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ClaimMap::from_lookup(|name| {
        settings
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("valid settings")
}

#[test]
fn claims_need_a_subject_clean_text_and_a_bounded_lifetime() {
    let now = 1_000_000;
    assert_eq!(claims("alice", now + 60).refusal(now, 3600), None);
    assert_eq!(claims("alice", now + 3600).refusal(now, 3600), None);
    assert!(claims("alice", now + 3606).refusal(now, 3600).is_some());
    assert!(claims("alice", i64::MAX).refusal(now, 3600).is_some());
    assert!(claims("", now + 60).refusal(now, 3600).is_some());
    assert!(claims(" \t", now + 60).refusal(now, 3600).is_some());
    assert!(claims("al\0ice", now + 60).refusal(now, 3600).is_some());
    let mut c = claims("alice", now + 60);
    c.roles.push("x\u{85}".into());
    assert!(c.refusal(now, 3600).is_some());
    let mut c = claims("alice", now + 60);
    c.name = Some("A\nB".into());
    assert!(c.refusal(now, 3600).is_some());
}

#[test]
fn claims_are_bounded_in_length() {
    let now = 1_000_000;
    let long = |n: usize| "x".repeat(n);
    assert_eq!(claims(&long(255), now + 60).refusal(now, 3600), None);
    assert!(claims(&long(256), now + 60).refusal(now, 3600).is_some());
    let mut c = claims("alice", now + 60);
    c.org_id = Some(long(256));
    assert!(c.refusal(now, 3600).is_some());
    let mut c = claims("alice", now + 60);
    c.name = Some(long(2049));
    assert!(c.refusal(now, 3600).is_some());
    let mut c = claims("alice", now + 60);
    c.roles = vec!["r".into(); 33];
    assert!(c.refusal(now, 3600).is_some());
}

#[test]
fn scopes_split_on_ascii_spaces_and_a_blank_org_is_none() {
    let mut c = claims("alice", 0);
    c.scope = Some("x\u{3000}groupbuy:read  groupbuy:write\u{a0}y".into());
    c.org_id = Some(" \u{3000} ".into());
    let p = c.clone().into_principal();
    assert_eq!(
        p.scopes,
        ["x\u{3000}groupbuy:read", "groupbuy:write\u{a0}y"]
    );
    assert!(!p.has_scope(SCOPE_READ));
    assert_eq!(p.org_id, None);
    c.org_id = Some(String::new());
    assert_eq!(c.clone().into_principal().org_id, None);
    c.org_id = Some("org_a".into());
    assert_eq!(c.into_principal().org_id.as_deref(), Some("org_a"));
}

#[test]
fn the_default_map_reads_groupbuys_own_layout() {
    let payload = json!({
        "sub": "alice", "exp": 100, "iat": 50, "name": "Alice", "picture": "https://p/a.png",
        "scope": "groupbuy:read groupbuy:write", "roles": ["merchant"], "org_id": "org_a",
        "iss": "https://idp", "aud": "groupbuy"
    });
    let read = ClaimMap::default().read(&payload).expect("read");
    assert_eq!(read.name.as_deref(), Some("Alice"));
    assert_eq!(read.roles, ["merchant"]);
    assert_eq!(read.org_id.as_deref(), Some("org_a"));
    assert_eq!(read.aud.as_deref(), Some("groupbuy"));
    // what `groupbuy token` writes is what serve reads back
    assert_eq!(
        ClaimMap::default().read(&ClaimMap::default().write(&read)),
        Ok(read)
    );
}

#[test]
fn keycloak_shape_roles_under_realm_access_and_the_preferred_username() {
    let payload = json!({
        "sub": "f:3c1d", "exp": 100, "iss": "https://kc/realms/shop",
        "aud": ["groupbuy", "account"], "azp": "groupbuy-web",
        "realm_access": {"roles": ["merchant", "offline_access", "uma_authorization"]},
        "resource_access": {"account": {"roles": ["manage-account"]}},
        "scope": "openid profile groupbuy:read groupbuy:write",
        "preferred_username": "alice", "org_id": "org_kc"
    });
    let keycloak = map(&[("GROUPBUY_JWT_ROLES_CLAIM", "/realm_access/roles")]);
    let principal = keycloak.read(&payload).expect("read").into_principal();
    assert!(principal.has_role("merchant"));
    assert!(!principal.has_role("manage-account"));
    assert_eq!(principal.name.as_deref(), Some("alice"));
    assert!(principal.has_scope(SCOPE_READ) && principal.has_scope(SCOPE_WRITE));
    assert_eq!(principal.org_id.as_deref(), Some("org_kc"));
    // the default map finds no roles there: nothing is granted by accident
    let default = ClaimMap::default()
        .read(&payload)
        .expect("read")
        .into_principal();
    assert!(default.roles.is_empty());
    // writing through the Keycloak map nests the roles where it reads them
    let written = keycloak.write(&keycloak.read(&payload).expect("read"));
    assert_eq!(written["realm_access"]["roles"][0], "merchant");
}

#[test]
fn auth0_shape_namespaced_claims_by_pointer_or_by_name() {
    let payload = json!({
        "sub": "auth0|abc", "exp": 100, "iss": "https://tenant.auth0.com/",
        "aud": ["https://api.groupbuy", "https://tenant.auth0.com/userinfo"],
        "https://example.com/roles": ["platform-admin"],
        "https://example.com/org": "org_auth0",
        "scope": "openid groupbuy:read", "name": "Bob", "nickname": "bob"
    });
    for roles in ["/https:~1~1example.com~1roles", "https://example.com/roles"] {
        let auth0 = map(&[
            ("GROUPBUY_JWT_ROLES_CLAIM", roles),
            ("GROUPBUY_JWT_ORG_CLAIM", "/https:~1~1example.com~1org"),
        ]);
        let principal = auth0.read(&payload).expect("read").into_principal();
        assert!(principal.is_platform_admin(), "{roles}");
        assert_eq!(principal.org_id.as_deref(), Some("org_auth0"));
        assert_eq!(principal.name.as_deref(), Some("Bob"));
        assert!(principal.has_scope(SCOPE_READ) && !principal.has_scope(SCOPE_WRITE));
    }
}

#[test]
fn azure_shape_scopes_as_an_scp_array_and_app_roles() {
    let payload = json!({
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "oid": "0000-1111", "exp": 100,
        "iss": "https://login.microsoftonline.com/tid/v2.0", "aud": "api://groupbuy",
        "scp": ["groupbuy:read", "groupbuy:write"], "roles": ["vendor"], "tid": "tenant-1",
        "preferred_username": "carol@contoso.com"
    });
    let azure = map(&[
        ("GROUPBUY_JWT_SCOPE_CLAIM", "/scp"),
        ("GROUPBUY_JWT_ORG_CLAIM", "tid"),
    ]);
    let principal = azure.read(&payload).expect("read").into_principal();
    assert!(principal.has_scope(SCOPE_READ) && principal.has_scope(SCOPE_WRITE));
    assert!(principal.has_role("vendor"));
    assert_eq!(principal.org_id.as_deref(), Some("tenant-1"));
    assert_eq!(principal.name.as_deref(), Some("carol@contoso.com"));
}

#[test]
fn a_claim_of_the_wrong_shape_refuses_the_token() {
    let base = json!({"sub": "a", "exp": 100});
    let with = |key: &str, value: Value| {
        let mut p = base.clone();
        p[key] = value;
        ClaimMap::default().read(&p)
    };
    assert!(with("roles", json!([1, 2])).is_err());
    assert!(with("roles", json!({"admin": true})).is_err());
    assert!(with("scope", json!({"a": 1})).is_err());
    assert!(with("org_id", json!(7)).is_err());
    assert!(with("sub", json!(7)).is_err());
    assert!(with("aud", json!(vec!["a"; 33])).is_err());
    assert!(with("aud", json!(["ok", "bad\u{0}"])).is_err());
    assert!(ClaimMap::default().read(&json!({"exp": 1})).is_err());
    assert!(ClaimMap::default().read(&json!({"sub": "a"})).is_err());
    assert!(with("roles", Value::Null).is_ok());
}

#[test]
fn a_blank_claim_setting_is_refused() {
    let refused = ClaimMap::from_lookup(|name| {
        (name == "GROUPBUY_JWT_ROLES_CLAIM").then(|| " / ".to_owned())
    });
    assert!(refused.unwrap_err().contains("GROUPBUY_JWT_ROLES_CLAIM"));
}
