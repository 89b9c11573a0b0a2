//! Fetching URL inputs and schema `image_url`s for a caller, with limits: http(s) only,
//! a size cap (checked against Content-Length and while reading), a time limit for the
//! whole exchange, at most 5 redirects, no proxies from the environment, and — unless the
//! config allows it — no private, loopback, link-local or otherwise non-public address:
//! every address a host name resolves to is checked before connecting (our own resolver),
//! and IP-literal URLs, including redirect targets, are checked before they are followed.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::errors::Code;

/// Why a download failed: `UNABLE_TO_DOWNLOAD_FILE` or `FILE_SIZE_TOO_LARGE`.
#[derive(Debug, Clone)]
pub struct DownloadError {
    /// The failure reason.
    pub code: Code,
    /// For a person.
    pub message: String,
}

impl DownloadError {
    fn unable(message: impl Into<String>) -> Self {
        Self {
            code: Code::UnableToDownloadFile,
            message: message.into(),
        }
    }
}

/// Whether `ip` is a public unicast address (the only kind fetched by default).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 shared (CGNAT)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 protocol assignments
                || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
                || o[0] >= 240) // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || s[..6].iter().all(|&x| x == 0) // ::/96 IPv4-compatible (embeds IPv4)
                || (s[0] == 0x0100 && s[1..4].iter().all(|&x| x == 0)) // 100::/64 discard
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still routed inside sites)
                || (s[0] == 0x2001 && s[1] == 0x0000) // Teredo 2001::/32 (embeds IPv4)
                || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0010) // ORCHID 2001:10::/28
                || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0020) // ORCHIDv2 2001:20::/28
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64 (embeds IPv4)
                || s[0] == 0x2002) // 6to4 (embeds IPv4)
        }
    }
}

/// Resolves host names and refuses any answer with a non-public address (also used by
/// webhook deliveries).
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            // The answer itself is not echoed: it would map the server's network for a caller.
            if addrs.iter().any(|a| !is_public(a.ip())) {
                return Err(not_allowed(&host).into());
            }
            let out: Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

/// The one message for a refused address: which host, never what it resolved to.
pub fn not_allowed(host: &str) -> String {
    format!("the address of {host} is not allowed (private, loopback or reserved); refused")
}

/// Why an IP-literal URL is refused (a non-public address), if it is.
pub fn literal_refused(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    (!is_public(ip)).then(|| not_allowed(host))
}

/// Checks now that the host of `url` is allowed: an IP literal must be public, and a name
/// must resolve, only to public addresses (webhook targets at creation; deliveries check
/// again as they connect).
pub async fn check_host(url: &reqwest::Url) -> Result<(), String> {
    if let Some(why) = literal_refused(url) {
        return Err(why);
    }
    let host = url.host_str().unwrap_or_default().to_string();
    if host.starts_with('[') || host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(a)) => a.collect(),
        Ok(Err(_)) | Err(_) => return Err(format!("{host} does not resolve")),
    };
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(not_allowed(&host));
    }
    Ok(())
}

/// The downloader (cheap to clone).
#[derive(Clone)]
pub struct Downloader {
    client: reqwest::Client,
    max_bytes: u64,
    allow_private: bool,
}

impl Downloader {
    /// A downloader with these limits.
    pub fn new(max_bytes: u64, timeout: Duration, allow_private: bool) -> Self {
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                return attempt.error("more than 5 redirects");
            }
            if !matches!(attempt.url().scheme(), "http" | "https") {
                return attempt.error("redirect to a scheme other than http(s)");
            }
            if !allow_private && let Some(why) = literal_refused(attempt.url()) {
                return attempt.error(format!("redirect refused: {why}"));
            }
            attempt.follow()
        });
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(redirect)
            .no_proxy()
            .user_agent(concat!("formsmith/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = builder.build().unwrap_or_else(|_| reqwest::Client::new());
        Self {
            client,
            max_bytes,
            allow_private,
        }
    }

    /// Downloads `url`: its bytes and a file name taken from the URL path.
    pub async fn fetch(&self, url: &str) -> Result<(Vec<u8>, String), DownloadError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| DownloadError::unable(format!("invalid URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(DownloadError::unable(format!(
                "only http and https URLs can be downloaded, not {}:",
                parsed.scheme()
            )));
        }
        if !self.allow_private
            && let Some(why) = literal_refused(&parsed)
        {
            return Err(DownloadError::unable(why));
        }
        let name = file_name_of(&parsed);
        let mut response = self.client.get(parsed).send().await.map_err(|e| {
            DownloadError::unable(format!("cannot download {}: {}", redact(url), chain(&e)))
        })?;
        if !response.status().is_success() {
            return Err(DownloadError::unable(format!(
                "downloading {} answered HTTP {}",
                redact(url),
                response.status()
            )));
        }
        let too_large = |size: u64| DownloadError {
            code: Code::FileSizeTooLarge,
            message: format!(
                "the file at {} is larger than the limit of {} bytes (size: {size} bytes)",
                redact(url),
                self.max_bytes
            ),
        };
        if let Some(len) = response.content_length()
            && len > self.max_bytes
        {
            return Err(too_large(len));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            DownloadError::unable(format!("reading {} failed: {}", redact(url), chain(&e)))
        })? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > self.max_bytes {
                return Err(too_large(bytes.len() as u64));
            }
        }
        Ok((bytes, name))
    }
}

/// The URL without its query (presigned URLs carry secrets there).
fn redact(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}

/// An error with its sources (reqwest hides the interesting part in them).
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The last path segment, percent-decoded; `download.pdf` when there is none.
pub fn file_name_of(url: &reqwest::Url) -> String {
    let segment = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or_default();
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&segment[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    let name = String::from_utf8_lossy(&out).trim().to_string();
    if name.is_empty() {
        "download.pdf".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::7f00:1",
            "::127.0.0.1",
            "::a00:1",
            "fec0::1",
            "feff::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:10::1",
            "100::1",
        ] {
            let ip: IpAddr = private.parse().expect("ip");
            assert!(!is_public(ip), "{private} must be refused");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            let ip: IpAddr = public.parse().expect("ip");
            assert!(is_public(ip), "{public} is public");
        }
    }

    #[test]
    fn names_from_urls() {
        let url = |s: &str| reqwest::Url::parse(s).expect("url");
        assert_eq!(
            file_name_of(&url("https://x.test/a/f%201040.pdf?sig=1")),
            "f 1040.pdf"
        );
        assert_eq!(file_name_of(&url("https://x.test/")), "download.pdf");
    }

    #[tokio::test]
    async fn loopback_refused_without_connecting() {
        let d = Downloader::new(1024, Duration::from_secs(2), false);
        let err = d
            .fetch("http://127.0.0.1:9/x.pdf")
            .await
            .expect_err("refused");
        assert_eq!(err.code, Code::UnableToDownloadFile);
        assert!(err.message.contains("refused"), "{}", err.message);
        let err = d
            .fetch("http://localhost:9/x.pdf")
            .await
            .expect_err("refused");
        assert!(err.message.contains("refused"), "{}", err.message);
        assert!(!err.message.contains("127.0.0.1"), "the answer is echoed: {}", err.message);
        assert!(!err.message.contains("::1"), "the answer is echoed: {}", err.message);
        let err = d.fetch("file:///etc/passwd").await.expect_err("refused");
        assert!(err.message.contains("http"), "{}", err.message);
    }
}
