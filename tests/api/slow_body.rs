//! A body that never finishes arriving (issue 17, item 5), against the real binary: the
//! request is answered 408 within the configured deadline and its connection closed,
//! while other clients are served meanwhile.

use crate::shutdown::{read_answer, serve_with, token};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn a_stalled_body_is_a_408_and_a_closed_connection_within_the_deadline() {
    let dir = std::env::temp_dir().join(format!("groupbuy-slow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut child, port, _logs) = serve_with(&dir, &[("GROUPBUY_BODY_TIMEOUT_MS", "300")]);
    let merchant = token("slow-merchant");
    let stalled: Vec<(TcpStream, Instant)> = (0..3)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
            write!(
                s,
                "POST /api/v1/shops HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {merchant}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"shopN"
            )
            .expect("head and part of the body");
            (s, Instant::now())
        })
        .collect();
    // Others are served while those stall.
    let mut other = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    other
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("request");
    assert_eq!(read_answer(other).0, 200);
    for (s, sent) in stalled {
        // read_answer reads to the end: the server closed the connection.
        let (status, body) = read_answer(s);
        let took = sent.elapsed();
        assert_eq!(status, 408, "{body}");
        assert!(
            body.contains("The request body did not arrive within 300 ms"),
            "{body}"
        );
        assert!(took < Duration::from_secs(3), "answered after {took:?}");
    }
    child.kill().expect("stop");
    child.wait().expect("reaped");
    let _ = std::fs::remove_dir_all(&dir);
}
