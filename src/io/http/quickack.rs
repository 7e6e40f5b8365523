//! The socket under cogtiler's HTTP client: a TCP stream that sets `TCP_QUICKACK` again after
//! every read (Linux clears it), and the connector that makes one per connection. Servers that
//! write headers and body in separate segments with Nagle on otherwise stall each response by
//! the peer's delayed-ACK timer (~40 ms).

use super::*;

/// A TCP stream that sets `TCP_QUICKACK` after every read that returned bytes (Linux; a no-op
/// elsewhere). The option is not sticky: the kernel re-enters delayed-ACK mode on its own, so
/// it is set again on each read.
pub(crate) struct QuickAckStream {
    tcp: TcpStream,
}

impl QuickAckStream {
    fn quickack(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // Best effort: a failure only means the old (slow) behaviour.
            let _ = socket2::SockRef::from(&self.tcp).set_tcp_quickack(true);
        }
    }
}

impl AsyncRead for QuickAckStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.quickack();
        }
        res
    }
}

impl AsyncWrite for QuickAckStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

impl Connection for QuickAckStream {
    fn connected(&self) -> Connected {
        self.tcp.connected()
    }
}

/// hyper-util's TCP connector (DNS, happy eyeballs, connect timeout, TCP_NODELAY) whose
/// streams come out as [`QuickAckStream`]s, connecting only where the URL rules allow.
#[derive(Clone)]
pub(super) struct QuickAckConnector {
    pub(super) http: HttpConnector<CheckedResolver>,
    pub(super) check: AddrCheck,
}

impl tower_service::Service<Uri> for QuickAckConnector {
    type Response = TokioIo<QuickAckStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let check = self.check.clone();
        if let Some(ip) = literal_ip(&dst) {
            if let Err(e) = check_addr(&check, ip) {
                return Box::pin(async move { Err(e.into()) });
            }
        }
        let connecting = self.http.call(dst);
        Box::pin(async move {
            let tcp = connecting.await?.into_inner();
            check_addr(&check, tcp.peer_addr()?.ip())?;
            Ok(TokioIo::new(QuickAckStream { tcp }))
        })
    }
}

/// Whether [`QuickAckService`] honours everything `options` asks for; when not, the caller
/// keeps reqwest. Durations come back from `ClientOptions` as humantime strings.
pub(crate) fn supports(options: &ClientOptions) -> bool {
    let flag = |k: ClientConfigKey| options.get_config_value(&k).as_deref() == Some("true");
    let set = |k: ClientConfigKey| options.get_config_value(&k).is_some();
    let duration_ok = |k: ClientConfigKey| {
        options
            .get_config_value(&k)
            .is_none_or(|v| humantime::parse_duration(&v).is_ok())
    };
    // Custom root certificates have no getter; their Debug form is the only trace. Should that
    // form ever change, this reads as "custom roots" and reqwest is kept: the safe side.
    let custom_roots = !format!("{options:?}").contains("root_certificates: []");
    !flag(ClientConfigKey::AllowInvalidCertificates)
        && !flag(ClientConfigKey::NoSystemCertificates)
        && !flag(ClientConfigKey::Http2Only)
        && !set(ClientConfigKey::ProxyUrl)
        && !set(ClientConfigKey::ReadTimeout)
        && options.dns_resolver().is_none()
        && !custom_roots
        && duration_ok(ClientConfigKey::Timeout)
        && duration_ok(ClientConfigKey::ConnectTimeout)
        && duration_ok(ClientConfigKey::PoolIdleTimeout)
}
