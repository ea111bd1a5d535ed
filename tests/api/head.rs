//! HEAD on every GET route answers like GET, without a body.

use crate::helpers::TestApp;
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Raw HTTP/1.1 so the test sees exactly what is on the wire (clients drop HEAD bodies).
async fn raw(app: &TestApp, request: &str) -> (String, Vec<u8>) {
    let addr = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request written");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.expect("response read");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&bytes[..split]).to_ascii_lowercase();
    (head, bytes[split + 4..].to_vec())
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    for app in TestApp::all().await {
        let product = app.product("m1", serde_json::json!({})).await;
        let id = product["productId"].as_str().expect("id");
        let user = app.token("u1", &[]);
        let routes = [
            ("/healthz".to_owned(), None),
            (format!("/api/v1/products/{id}"), None),
            ("/api/v1/wallet".to_owned(), Some(user.as_str())),
            ("/openapi.json".to_owned(), None),
        ];
        for (path, token) in routes {
            let get = app.call(Method::GET, &path, token, None, &[]).await;
            let head = app.call(Method::HEAD, &path, token, None, &[]).await;
            assert_eq!(head.status, get.status, "HEAD {path}");
            assert_eq!(head.body, serde_json::Value::Null, "HEAD {path} has a body");
            assert_eq!(
                head.header("content-type"),
                get.header("content-type"),
                "HEAD {path}"
            );
            assert!(head.header("x-request-id").is_some(), "HEAD {path}");
        }
        // what HEAD puts on the wire: GET's headers (its length too) and no body
        let (head, body) = raw(
            &app,
            "HEAD /healthz HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n",
        )
        .await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("content-length: "), "{head}");
        assert!(!head.contains("content-length: 0\r"), "{head}");
        assert!(body.is_empty(), "HEAD sent a body: {body:?}");
        // HEAD needs what GET needs
        let r = app
            .call(Method::HEAD, "/api/v1/wallet", None, None, &[])
            .await;
        assert_eq!(r.status, 401);
        // no GET on the path: 405 naming HEAD; unknown path: 404
        let r = app
            .call(Method::HEAD, "/api/v1/shops", None, None, &[])
            .await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow").as_deref(), Some("POST"));
        let r = app
            .call(
                Method::HEAD,
                "/api/v1/group-purchases/transfer",
                None,
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 405);
        let r = app
            .call(Method::HEAD, "/no/such/route", None, None, &[])
            .await;
        assert_eq!(r.status, 404);
        // where GET is allowed, so is HEAD
        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/products/{id}"),
                None,
                None,
                &[],
            )
            .await
            .expect(405);
        assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD, PATCH"));
        assert!(r.message().contains("PUT"), "{}", r.message());
    }
}
