//! Name resolution for deliveries, checked: a host name is resolved ONCE per connection,
//! every address is checked, and the connection goes to exactly those addresses (the
//! HTTP client's own resolver), so a name that answers a public address to a check and a
//! loopback one to the connection (DNS rebinding) reaches nothing internal.

use futures_util::future::BoxFuture;
use groupbuy_domain::webhook::is_internal_ip;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Resolves a host name to its addresses: the system resolver, or a test's own.
#[derive(Clone)]
pub struct HostLookup(
    Arc<dyn Fn(String) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> + Send + Sync>,
);

impl HostLookup {
    /// A lookup answering with `f` (tests: a resolver they control).
    pub fn new(
        f: impl Fn(String) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(f))
    }

    /// The operating system's resolver.
    pub fn system() -> Self {
        Self::new(|host| {
            Box::pin(async move {
                Ok(tokio::net::lookup_host((host.as_str(), 0))
                    .await?
                    .map(|a| a.ip())
                    .collect())
            })
        })
    }
}

impl std::fmt::Debug for HostLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostLookup")
    }
}

impl Default for HostLookup {
    fn default() -> Self {
        Self::system()
    }
}

/// The delivery client's resolver: `lookup`, then every address checked unless private
/// targets are allowed.
pub struct CheckedResolver {
    /// Where names are resolved.
    pub lookup: HostLookup,
    /// Whether loopback/private answers are allowed (development, tests).
    pub allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (lookup, allow_private) = (self.lookup.clone(), self.allow_private);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let ips = (lookup.0)(host.clone()).await?;
            if ips.is_empty() {
                return Err(format!("cannot resolve {host}: no addresses").into());
            }
            if !allow_private && ips.iter().any(is_internal_ip) {
                return Err(format!(
                    "refused: {host} resolves to a loopback, private or other special-purpose address"
                )
                .into());
            }
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}
