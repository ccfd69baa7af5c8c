//! Accepting connections: a client gets a bounded time to send a request's headers, and a
//! bounded number of connections at once from one address, so that slow or greedy clients
//! cannot hold every socket (a request line without its blank line used to stay open for as
//! long as the client liked).

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;

/// How connections are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// Longest a client may take to send a request's headers, counted from the connection's
    /// start or from the previous answer (so an idle keep-alive connection ends too); the
    /// connection is then closed.
    pub header_read_timeout: Duration,
    /// Most connections open at once from one client address; the next ones are closed at
    /// once. `None`: no cap (behind a reverse proxy every connection comes from the proxy,
    /// which should cap per client itself).
    pub max_connections_per_ip: Option<usize>,
}

impl ConnLimits {
    /// 10 s for the headers (a request's headers are a few hundred bytes), 64 connections
    /// per address (a browser opens 6 per site; a school or an office shares an address).
    pub const DEFAULT: Self = Self {
        header_read_timeout: Duration::from_secs(10),
        max_connections_per_ip: Some(64),
    };
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Open connections per client address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One connection counted against its address, until dropped.
#[derive(Debug)]
struct Slot {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl PerAddress {
    /// A slot for `ip` if it has fewer than `cap` connections open.
    fn take(self: &Arc<Self>, ip: IpAddr, cap: Option<usize>) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if cap.is_some_and(|cap| *n >= cap) {
            return None;
        }
        *n += 1;
        Some(Slot {
            table: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the open connections
/// finish the requests they are answering. Handlers see the peer's address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let table = Arc::new(PerAddress::default());
    let (close, closing) = tokio::sync::watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // not a reason to stop serving the others.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = table.take(peer.ip(), limits.max_connections_per_ip) else {
            // The address is personal data: counted, never logged.
            tracing::debug!("too many connections from one address: closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                // Room above the application's own limit, so that it is the application that
                // refuses (431 with its headers and its page) rather than hyper (bare 431).
                .max_headers(crate::MAX_HEADERS * 2);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                done = conn.as_mut() => {
                    if let Err(e) = done {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                _ = closing.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(closing);
    let _ = close.send(());
    close.closed().await;
    Ok(())
}
