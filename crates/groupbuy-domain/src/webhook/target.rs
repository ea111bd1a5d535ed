//! Where a webhook may be delivered: an http(s) URL whose host is no loopback, private,
//! link-local or other special-purpose address (IANA's IPv4 and IPv6 special-purpose
//! registries, multicast, and IPv4 addresses embedded in IPv6 forms).
//!
//! URLs are parsed as a browser and the delivery client parse them (WHATWG, the `url`
//! crate): `http://2130706433/`, `http://0x7f.1/`, `http://017700000001/` and
//! `http://127.1/` are all 127.0.0.1 here exactly as they are when the delivery connects.

use crate::error::DomainError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// The URL, if it is http(s) with a host, no credentials and, unless `allow_private`, no
/// internal IP literal and no `localhost` name (names are resolved, checked and connected
/// to at delivery).
pub(super) fn parse_url(url: &str, allow_private: bool) -> Result<String, DomainError> {
    let invalid = |why: &str| DomainError::invalid("url", format!("url {why}"));
    let url = url.trim();
    if url.len() > 2048 {
        return Err(invalid("must be at most 2048 characters"));
    }
    let parsed = Url::parse(url).map_err(|e| invalid(&format!("is not a valid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("must be an http:// or https:// URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("must not carry credentials"));
    }
    let internal = match parsed.host() {
        None => return Err(invalid("must name a host")),
        Some(Host::Domain(name)) => is_local_name(name),
        Some(Host::Ipv4(v4)) => is_internal_ip(&IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => is_internal_ip(&IpAddr::V6(v6)),
    };
    if internal && !allow_private {
        return Err(invalid(
            "must not point at a loopback, private, link-local or other special-purpose address",
        ));
    }
    Ok(url.to_owned())
}

/// `localhost` and its subdomains, with or without trailing dots, in any case.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether `ip` is never a delivery target (unless private targets are allowed): any
/// address that is not globally reachable unicast.
pub fn is_internal_ip(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(*v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

/// `(network, prefix length)` of every IPv4 range refused.
const V4_RANGES: [([u8; 4], u8); 18] = [
    ([0, 0, 0, 0], 8),       // "this network"
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // TEST-NET-1
    ([192, 31, 196, 0], 24), // AS112
    ([192, 52, 193, 0], 24), // AMT
    ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private
    ([192, 175, 48, 0], 24), // direct delegation AS112
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // TEST-NET-2
    ([203, 0, 113, 0], 24),  // TEST-NET-3
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and 255.255.255.255 broadcast
];

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    V4_RANGES.iter().any(|(net, len)| {
        let mask = u32::MAX << (32 - u32::from(*len));
        bits & mask == u32::from(Ipv4Addr::from(*net))
    })
}

/// `(network, prefix length)` of every IPv6 range refused outright.
const V6_RANGES: [(u128, u8); 13] = [
    (0, 96),                      // ::/96: unspecified, loopback, IPv4-compatible
    (0xffff << 48, 96),           // ::ffff:0:0:0/96 IPv4-translated (SIIT)
    (0x0064_ff9b_0001 << 80, 48), // 64:ff9b:1::/48 local-use NAT64
    (0x0100 << 112, 64),          // 100::/64 discard-only
    (0x2001 << 112, 23),          // 2001::/23 IETF assignments, Teredo, ORCHID
    (0x2001_0db8 << 96, 32),      // documentation
    (0x2620_004f_8000 << 80, 48), // AS112
    (0x3fff << 112, 20),          // documentation
    (0x5f00 << 112, 16),          // SRv6 SIDs
    (0xfc00 << 112, 7),           // unique local
    (0xfe80 << 112, 10),          // link-local
    (0xfec0 << 112, 10),          // site-local (deprecated)
    (0xff00 << 112, 8),           // multicast
];

fn is_internal_v6(ip: &Ipv6Addr) -> bool {
    let bits = u128::from(*ip);
    let embedded = |shift: u32| {
        let v4 = u32::try_from((bits >> shift) & u128::from(u32::MAX)).unwrap_or(0);
        is_internal_v4(Ipv4Addr::from(v4))
    };
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 they carry;
    // 6to4 (2002:AABB:CCDD::/48) routes to the IPv4 it carries.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    if bits >> 32 == 0x0064_ff9b_u128 << 64 {
        return embedded(0);
    }
    if bits >> 112 == 0x2002 {
        return embedded(80);
    }
    V6_RANGES.iter().any(|(net, len)| {
        let mask = u128::MAX << (128 - u32::from(*len));
        bits & mask == *net
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> bool {
        matches!(
            parse_url(url, false),
            Err(DomainError::Validation { ref field, .. }) if field == "url"
        )
    }

    #[test]
    fn public_http_urls_pass() {
        for ok in [
            "https://hooks.example.com/groupbuy",
            "http://hooks.example.com:8080/x?y=1",
            "HTTPS://Hooks.Example.COM/x",
            "http://93.184.216.34/",
            "http://[2606:4700::1111]/",
            "http://[64:ff9b::808:808]/",
            "http://[2002:808:808::1]/",
        ] {
            assert_eq!(parse_url(ok, false).as_deref(), Ok(ok), "{ok}");
        }
        assert!(parse_url("http://127.0.0.1:9000/", true).is_ok());
        assert!(parse_url("http://localhost:9000/", true).is_ok());
    }

    #[test]
    fn malformed_urls_are_refused() {
        for bad in [
            "ftp://example.com",
            "example.com",
            "https://",
            "http://user:pw@example.com/",
            "http://user@example.com/",
            "http://[fe80::1%25eth0]/",
            "http://[::1%25lo]:80/",
            "javascript:alert(1)",
        ] {
            assert!(refused(bad), "{bad}");
            assert!(
                parse_url(bad, true).is_err(),
                "{bad} even when private is allowed"
            );
        }
    }

    /// Every spelling of loopback and of other internal targets is refused at registration,
    /// however the address is written.
    #[test]
    fn internal_targets_are_refused_in_every_spelling() {
        for bad in [
            "http://localhost/x",
            "http://LOCALHOST/",
            "http://localhost./",
            "http://localhost../",
            "http://api.localhost/",
            "http://Api.LocalHost./",
            "http://%6c%6fcalhost/",
            "http://\u{ff4c}\u{ff4f}\u{ff43}\u{ff41}\u{ff4c}\u{ff48}\u{ff4f}\u{ff53}\u{ff54}/",
            "http://127.0.0.1:9000",
            "http://127.0.0.1./",
            "http://127.1/",
            "http://127.0.1/",
            "http://127.255.255.254/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.1/",
            "http://0x7F.0.0.1/",
            "http://017700000001/",
            "http://0177.0.0.1/",
            "http://0177.1/",
            "http://127.000.000.001/",
            "http://0/",
            "http://0.0.0.0/",
            "http://0.1.2.3/",
            "http://10.1.2.3",
            "http://192.168.0.10",
            "http://172.16.5.4",
            "http://172.31.255.255",
            "http://100.64.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://192.0.0.1/",
            "http://192.0.2.1/",
            "http://198.18.0.1/",
            "http://198.51.100.7/",
            "http://203.0.113.9/",
            "http://224.0.0.1/",
            "http://240.0.0.1/",
            "http://255.255.255.255/",
            "http://[::1]:80/",
            "http://[0:0:0:0:0:0:0:1]/",
            "http://[::]/",
            "http://[::127.0.0.1]/",
            "http://[::7f00:1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::FFFF:7F00:1]/",
            "http://[::ffff:0:127.0.0.1]/",
            "http://[::ffff:0:8.8.8.8]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[64:ff9b:1::1]/",
            "http://[2002:7f00:1::]/",
            "http://[2002:a00:1::1]/",
            "http://[2001::1]/",
            "http://[2001:db8::1]/",
            "http://[100::1]/",
            "http://[fc00::1]/",
            "http://[fd12:3456::1]/",
            "http://[fe80::1]/",
            "http://[fec0::1]/",
            "http://[ff02::1]/",
        ] {
            assert!(refused(bad), "{bad} was accepted");
        }
    }
}
