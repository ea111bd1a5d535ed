//! The `groupbuy` binary's subcommands, run as a user would.

use crate::helpers::{TestApp, SECRET};
use std::process::Command;

fn groupbuy(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupbuy"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("GROUPBUY_JWT_SECRET");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run groupbuy")
}

#[actix_web::test]
async fn token_minted_by_the_cli_is_accepted_by_serve_with_the_same_secret() {
    for app in TestApp::all().await {
        let out = groupbuy(
            &[
                "token",
                "--sub",
                "cli-merchant",
                "--name",
                "Cli",
                "--role",
                "merchant",
                "--ttl",
                "600",
            ],
            &[("GROUPBUY_JWT_SECRET", SECRET)],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(out.stdout)
            .expect("utf8")
            .trim()
            .to_owned();
        let shop = app
            .post(
                "/api/v1/shops",
                Some(&token),
                serde_json::json!({"shopName": "From the CLI"}),
            )
            .await
            .expect(201);
        assert_eq!(shop.data()["ownerId"], "cli-merchant");
        // another secret: refused
        let out = groupbuy(
            &["token", "--sub", "x"],
            &[("GROUPBUY_JWT_SECRET", "another-secret-also-32-bytes-long")],
        );
        let token = String::from_utf8(out.stdout)
            .expect("utf8")
            .trim()
            .to_owned();
        app.get("/api/v1/wallet", Some(&token)).await.expect(401);
    }
}

#[test]
fn openapi_subcommand_prints_the_document() {
    let out = groupbuy(&["openapi"], &[]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).expect("utf8"),
        groupbuy_api::openapi::document_json()
    );
}

#[test]
fn migrate_creates_a_sqlite_database_and_is_idempotent() {
    let dir = std::env::temp_dir().join(format!("groupbuy-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = dir.join("cli.db").to_string_lossy().into_owned();
    let first = groupbuy(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let folders = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite"
    ))
    .expect("migrations")
    .count();
    let expected = format!("applied {folders} migration(s)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(said.starts_with(&expected), "{said}");
    let again = groupbuy(&["migrate"], &[("DATABASE_URL", &url)]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&again.stdout),
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(said.starts_with("applied 0 migration(s)"), "{said}");
    let bad = groupbuy(
        &["migrate"],
        &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
    );
    assert!(!bad.status.success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_setting_stops_start_up_with_its_name() {
    let out = groupbuy(&["serve"], &[("GROUPBUY_SWEEP_INTERVAL_MS", "often")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GROUPBUY_SWEEP_INTERVAL_MS"));
}

/// `exp - iat` of a token the CLI printed with the development secret.
fn lifetime(out: &std::process::Output) -> i64 {
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_aud = false;
    let key =
        jsonwebtoken::DecodingKey::from_secret(groupbuy_api::platform::auth::DEV_SECRET.as_bytes());
    let claims = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation)
        .expect("a token signed with the development secret")
        .claims;
    claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat")
}

#[test]
fn token_lifetime_never_passes_the_configured_maximum() {
    // the default mints exactly the default maximum, 24 h
    let out = groupbuy(&["token", "--sub", "a"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lifetime(&out), 86_400);
    // beyond it is refused, naming the setting
    let out = groupbuy(&["token", "--sub", "a", "--ttl", "86401"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GROUPBUY_JWT_MAX_TTL_SECONDS"));
    let out = groupbuy(&["token", "--sub", "a", "--ttl", "0"], &[]);
    assert!(!out.status.success());
    // a smaller maximum is also the default lifetime
    let out = groupbuy(
        &["token", "--sub", "a"],
        &[("GROUPBUY_JWT_MAX_TTL_SECONDS", "600")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lifetime(&out), 600);
    let out = groupbuy(
        &["token", "--sub", "a", "--ttl", "100000"],
        &[("GROUPBUY_JWT_MAX_TTL_SECONDS", "200000")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lifetime(&out), 100_000);
}

#[test]
fn a_short_secret_stops_serve_and_token_with_a_clear_message() {
    for command in [&["serve"][..], &["token", "--sub", "a"][..]] {
        let out = groupbuy(command, &[("GROUPBUY_JWT_SECRET", "abc")]);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("at least 32"), "{said}");
    }
}

#[test]
fn production_refuses_the_development_secret() {
    let out = groupbuy(&["serve"], &[("GROUPBUY_ENV", "production")]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("GROUPBUY_ENV=production"), "{said}");
    let dev = groupbuy_api::platform::auth::DEV_SECRET;
    let out = groupbuy(
        &["token", "--sub", "a"],
        &[("GROUPBUY_ENV", "production"), ("GROUPBUY_JWT_SECRET", dev)],
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

#[actix_web::test]
async fn the_secret_may_come_from_a_file() {
    let path = std::env::temp_dir().join(format!("groupbuy-secret-{}", uuid::Uuid::new_v4()));
    std::fs::write(&path, format!("{SECRET}\n")).expect("write");
    let file = path.to_string_lossy().into_owned();
    let out = groupbuy(
        &["token", "--sub", "from-file", "--ttl", "600"],
        &[
            ("GROUPBUY_JWT_SECRET_FILE", &file),
            ("GROUPBUY_ENV", "production"),
        ],
    );
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).expect("utf8");
    for app in TestApp::all().await {
        app.get("/api/v1/wallet", Some(token.trim()))
            .await
            .expect(200);
    }
}
