//! Tenancy over HTTP on both backends: what a scope, a missing or blank organisation, or
//! another organisation's token can reach, and what a hidden pool answers (as a missing one).

use crate::helpers::{Reply, TestApp};
use crate::sourcing::{finished, organiser, pooled_with, quote, send, sourcing, vendor, FINANCE};
use reqwest::Method;
use serde_json::json;

const MISSING: &str = "gb_00000000000000000000000000000000";

/// A private pool of org_acme (members org_a, org_b, org_c), quoted, allocated and settled
/// into five documents; returns its id and its documents' ids.
async fn settled_private(app: &TestApp) -> (String, Vec<String>) {
    let rules = json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
    let id = pooled_with(app, "SECRET", rules).await;
    sourcing(app, &id, "rfq-secret").await;
    quote(app, &id, "vendor_mills", 9.0, 60).await.expect(201);
    quote(app, &id, "vendor_farm", 11.0, 100).await.expect(201);
    let org = organiser(app);
    let path = format!("/groupbuy/{id}/allocate");
    let r = send(app, Method::POST, &path, &org, None, Some("alloc-secret")).await;
    let job = finished(app, &r.expect(202).header("location").expect("Location")).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let fin = app.org_token("alice", "org_acme", FINANCE);
    let path = format!("/groupbuy/{id}/settle");
    let s = send(app, Method::POST, &path, &fin, None, Some("settle-secret")).await;
    let docs = s.expect(201).data()["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["id"].as_str().expect("doc id").to_owned())
        .collect::<Vec<_>>();
    assert_eq!(docs.len(), 5, "two payables, three receivables");
    (id, docs)
}

async fn get(app: &TestApp, path: &str, token: &str, xml: bool) -> Reply {
    let accept = if xml {
        "application/xml"
    } else {
        "application/json"
    };
    app.call(Method::GET, path, Some(token), None, &[("Accept", accept)])
        .await
}

#[actix_web::test]
async fn finance_write_never_reads_another_organisation_s_settlement() {
    for app in TestApp::all().await {
        let (id, docs) = settled_private(&app).await;
        let missing = get(
            &app,
            &format!("/groupbuy/{MISSING}/settlement"),
            &organiser(&app),
            false,
        )
        .await
        .expect(404);
        let strangers = [
            ("no org", app.token_full("fin", None, &[], FINANCE, 3600)),
            (
                "blank org",
                app.token_full("fin", Some(""), &[], FINANCE, 3600),
            ),
            (
                "spaces org",
                app.token_full("fin", Some("   "), &[], FINANCE, 3600),
            ),
            ("other org", app.org_token("fin", "org_z", FINANCE)),
            (
                "uninvited vendor",
                app.token_full("vendor_stranger", None, &["vendor"], FINANCE, 3600),
            ),
        ];
        // A hidden pool not settled yet answers as a missing one too.
        let rules = json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
        let unsettled = pooled_with(&app, "UNSETTLED", rules).await;
        let path = format!("/groupbuy/{unsettled}/settlement");
        let r = get(&app, &path, &strangers[3].1, false).await.expect(404);
        assert_eq!(r.message(), missing.message());
        for (who, t) in &strangers {
            let pool = get(&app, &format!("/groupbuy/{id}"), t, false)
                .await
                .expect(404);
            let paths = std::iter::once(format!("/groupbuy/{id}/settlement")).chain(
                docs.iter()
                    .map(|d| format!("/groupbuy/{id}/settlement/documents/{d}")),
            );
            for path in paths {
                for xml in [false, true] {
                    let r = get(&app, &path, t, xml).await.expect(404);
                    assert_eq!(r.message(), pool.message(), "{who} {path} xml={xml}");
                    assert_eq!(r.message(), missing.message(), "{who}: as a missing pool");
                }
            }
        }

        // A finance user of a member organisation reads its own receivable only.
        let member = app.org_token("fin-a", "org_a", FINANCE);
        let r = get(&app, &format!("/groupbuy/{id}/settlement"), &member, false)
            .await
            .expect(200);
        let own = r.data()["documents"].as_array().expect("documents").clone();
        assert_eq!(own.len(), 1, "{}", r.body);
        assert_eq!(own[0]["counterparty"], "org_a");

        // Cross-organisation reads take the platform-admin role.
        let admin = app.token_full("root", None, &["platform-admin"], "groupbuy:read", 3600);
        let r = get(&app, &format!("/groupbuy/{id}/settlement"), &admin, false)
            .await
            .expect(200);
        assert_eq!(r.data()["documents"].as_array().map(Vec::len), Some(5));
        for d in &docs {
            let path = format!("/groupbuy/{id}/settlement/documents/{d}");
            get(&app, &path, &admin, false).await.expect(200);
            let res = get(&app, &path, &admin, true).await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
        // The invited vendors still read their payables.
        let mills = vendor(&app, "vendor_mills");
        let r = get(&app, &format!("/groupbuy/{id}/settlement"), &mills, false)
            .await
            .expect(200);
        assert_eq!(r.data()["documents"].as_array().map(Vec::len), Some(1));
    }
}
