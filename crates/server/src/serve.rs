//! The accept loop. `axum::serve` sets no read timeouts and accepts without bound, so a
//! client could hold sockets open forever with half-sent headers or bodies. Here:
//!
//! - at most `max_connections` connections are served at once: the loop takes a permit
//!   before it accepts, so sockets over the cap wait in the kernel backlog, unread;
//! - hyper's `header_read_timeout`: a request's headers must be complete within that time
//!   after the connection is ready for a request (hyper starts the timer then, so it also
//!   bounds the wait for the next request on a keep-alive connection);
//! - an idle timeout: a connection with no request in progress and no byte read or written
//!   for `keep_alive_timeout` is closed;
//! - every request body is wrapped in [`TimedBody`]: each read must bring data within
//!   `body_read_timeout` and the whole body must arrive within `body_timeout`, else the body
//!   fails with [`BodyTimeout`] (the handler answers 408 and hyper closes the connection,
//!   since the body was not read to its end).
//!
//! The peer address is put in each request's extensions (`ConnectInfo`) for the per-IP
//! limit on failed authentication.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::Sleep;

/// The connection limits in force (from the config).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time to receive a request's headers.
    pub header_read_timeout: Duration,
    /// Idle connection lifetime (no request in progress, no bytes moving).
    pub keep_alive_timeout: Duration,
    /// Longest wait for the next piece of a request body.
    pub body_read_timeout: Duration,
    /// Longest time to receive a whole request body.
    pub body_timeout: Duration,
}

/// A request body that arrived too slowly.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("request body not received in time ({0})")]
pub struct BodyTimeout(&'static str);

/// Whether an error (or one of its sources) is a [`BodyTimeout`].
pub fn is_body_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<BodyTimeout>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// A body with a per-read and an overall deadline.
pub struct TimedBody {
    inner: Incoming,
    read_timeout: Duration,
    gap: Pin<Box<Sleep>>,
    total: Pin<Box<Sleep>>,
}

impl TimedBody {
    fn new(inner: Incoming, limits: &Limits) -> Self {
        Self {
            inner,
            read_timeout: limits.body_read_timeout,
            gap: Box::pin(tokio::time::sleep(limits.body_read_timeout)),
            total: Box::pin(tokio::time::sleep(limits.body_timeout)),
        }
    }
}

impl http_body::Body for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = tokio::time::Instant::now() + this.read_timeout;
                this.gap.as_mut().reset(next);
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                if this.total.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(BodyTimeout("whole body").into())));
                }
                if this.gap.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(BodyTimeout("no data between reads").into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Last time bytes moved on a connection, and requests in progress on it.
struct Activity {
    base: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let now = self.base.elapsed();
        now.saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// Counts a request as in progress until dropped (the handler's future ends or is dropped).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn enter(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.touch();
    }
}

/// A socket that records when bytes last moved.
struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Resolves once `stop` is true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not Send: dropped here, before any other await.
    let _ = stop.wait_for(|s| *s).await;
}

/// Serves `app` on `listener` with `limits` until `stop` turns true, then lets open
/// connections finish their requests (up to 30 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let cap = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(cap));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(None);
    let builder = Arc::new(builder);
    loop {
        // The permit first: over the cap, new sockets stay in the backlog, unread.
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity {
            base: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        });
        let io = TokioIo::new(Tracked {
            inner: stream,
            activity: Arc::clone(&activity),
        });
        let app = app.clone();
        let service_activity = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let guard = InFlight::enter(&service_activity);
            let mut req = req.map(|b| Body::new(TimedBody::new(b, &limits)));
            req.extensions_mut().insert(ConnectInfo(peer));
            let call = tower::ServiceExt::oneshot(app.clone(), req);
            async move {
                let response = call.await;
                drop(guard);
                response
            }
        });
        let builder = Arc::clone(&builder);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let conn = builder.serve_connection_with_upgrades(io, service);
            tokio::pin!(conn);
            let idle = limits.keep_alive_timeout;
            let mut tick = tokio::time::interval(idle.min(Duration::from_secs(1)).max(Duration::from_millis(50)));
            let mut closing = false;
            // After a graceful close is asked, how long the connection may still take.
            let hard = tokio::time::sleep(Duration::from_secs(u64::MAX / 4));
            tokio::pin!(hard);
            loop {
                tokio::select! {
                    r = conn.as_mut() => {
                        if let Err(e) = r {
                            tracing::debug!(%peer, "connection: {e}");
                        }
                        break;
                    }
                    _ = stopped(&mut stop), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                        hard.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(30));
                    }
                    _ = &mut hard, if closing => break,
                    _ = tick.tick(), if !closing => {
                        if activity.in_flight.load(Ordering::SeqCst) == 0 && activity.idle_for() >= idle {
                            tracing::debug!(%peer, "closing idle connection");
                            closing = true;
                            conn.as_mut().graceful_shutdown();
                            hard.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(5));
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    // Every connection task holds a permit: all back means all closed.
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(30), permits.acquire_many(all)).await;
}
