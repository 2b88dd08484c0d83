//! Downloads for `cordon lists update`: one GET over HTTPS (plain HTTP only
//! to this machine), redirects followed by hand so each hop is held to the
//! same rule, the status and headers checked, and the body streamed to a
//! file with a size cap and its `Content-Length` held to what arrived. The
//! only module that uses the HTTP client (ureq, with rustls and the Mozilla
//! roots), so replacing it is a one-file change.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use ureq::http::Uri;

use crate::values::thousands;

/// How long and how much a download may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole download, redirects and body included.
    pub timeout: Duration,
    /// Connecting, TLS handshake included.
    pub connect_timeout: Duration,
    /// Waiting for any one read: a server that stops sending.
    pub stall_timeout: Duration,
    /// The largest body accepted, in bytes.
    pub max_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(60),
            max_bytes: 256 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// Why a download failed. Each names the URL asked for (`url`) and, where a
/// redirect was followed, the place that failed in the message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    /// Not a URL, or a scheme other than https (and http to this machine).
    #[error("{reason}")]
    Url {
        /// What is wrong with it.
        reason: String,
        /// Whether it is plain http:// to another machine (for the help).
        insecure: bool,
    },
    /// No answer: the name does not resolve, the connection or the TLS
    /// handshake failed, a broken connection.
    #[error("{0}")]
    Network(String),
    /// Too slow: no connection, no data for a while, or not done in the
    /// time allowed.
    #[error("{what}{}", received.map(|n| format!("; {} bytes had arrived", thousands(n))).unwrap_or_default())]
    TimedOut {
        /// Which limit, in words.
        what: String,
        /// Bytes of the body received, if it had started.
        received: Option<u64>,
    },
    /// A redirect to a place not followed: plain http:// to another
    /// machine, this machine from elsewhere, not a URL.
    #[error("it redirects to `{to}`: {reason}")]
    Redirected {
        /// Where to.
        to: String,
        /// Why it is not followed.
        reason: String,
    },
    /// An answer other than 200 OK.
    #[error("the server answered {status}{}", if reason.is_empty() { String::new() } else { format!(" {reason}") })]
    Status {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// More redirects than [`Limits::max_redirects`].
    #[error("more than {0} redirects")]
    Redirects(u32),
    /// The body is larger than [`Limits::max_bytes`] (announced or received).
    #[error("it is larger than the limit of {}{}", size(*limit), announced.map(|n| format!(" (the server announced {})", size(n))).unwrap_or_default())]
    TooLarge {
        /// The limit.
        limit: u64,
        /// The `Content-Length`, when that is what told.
        announced: Option<u64>,
    },
    /// Fewer bytes than the `Content-Length` announced, or the connection
    /// broke off before the end.
    #[error("{}", truncated(*received, *announced, cause.as_deref()))]
    Truncated {
        /// Bytes received.
        received: u64,
        /// The `Content-Length`, if any.
        announced: Option<u64>,
        /// The reader's error, if the connection broke.
        cause: Option<String>,
    },
    /// The body is compressed (`Content-Encoding`) though none was asked for.
    #[error("the server sent the file encoded as `{0}`, which was not asked for")]
    Encoded(String),
    /// The file could not be written.
    #[error("cannot write `{path}`: {message}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

fn truncated(received: u64, announced: Option<u64>, cause: Option<&str>) -> String {
    let cause = cause.map(|c| format!(" ({c})")).unwrap_or_default();
    let got = thousands(received);
    match announced {
        Some(n) => format!("the download is truncated: {got} of the {} bytes announced arrived{cause}", thousands(n)),
        None => format!("the download is truncated: the connection broke off after {got} bytes{cause}"),
    }
}

/// A size for people: whole MiB as such, else bytes.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", thousands(bytes / MIB))
    } else {
        format!("{} bytes", thousands(bytes))
    }
}

/// Whether a host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks a URL before anything is sent: `https://` with a host, or
/// `http://` to this machine (a local mirror, a test server).
pub fn check_url(url: &str) -> Result<(), FetchError> {
    parse(url).map(|_| ())
}

fn parse(url: &str) -> Result<Uri, FetchError> {
    let bad = |reason: String| FetchError::Url { reason, insecure: false };
    let uri: Uri = url.parse().map_err(|e| bad(format!("it is not a URL ({e})")))?;
    let Some(host) = uri.host().filter(|h| !h.is_empty()) else {
        return Err(bad("it names no host".into()));
    };
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(FetchError::Url {
            reason: "it is plain http:// to another machine, which anyone on the way can change".into(),
            insecure: true,
        }),
        Some(other) => Err(bad(format!("`{other}:` is not https"))),
        None => Err(bad("it has no scheme (`https://`)".into())),
    }
}

/// Where a redirect's `Location` points, from the URL that sent it.
fn resolve(base: &Uri, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme = base.scheme_str().unwrap_or("https");
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = base.path();
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let dir = if dir.is_empty() { "/" } else { dir };
    format!("{scheme}://{authority}{dir}{location}")
}

/// An answer of 200 OK, its body not read yet.
pub struct Response {
    /// The URL that answered, after redirects.
    pub url: String,
    /// Its `Content-Type`, without parameters, lower case.
    pub content_type: Option<String>,
    /// Its `Content-Length`.
    pub content_length: Option<u64>,
    body: ureq::Body,
    limits: Limits,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("url", &self.url)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
}

/// A failed exchange in words; `received` is how much of the body had
/// arrived, once it had started.
fn failure(e: ureq::Error, limits: &Limits, received: Option<u64>) -> FetchError {
    let secs = |d: Duration| d.as_secs_f64();
    let what = match e {
        ureq::Error::Timeout(ureq::Timeout::Global) => {
            format!("it took longer than the {} s allowed (`--timeout`)", secs(limits.timeout))
        }
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            format!("no connection within {} s", secs(limits.connect_timeout))
        }
        ureq::Error::Timeout(ureq::Timeout::PerRead) => {
            format!("the server sent nothing for {} s", secs(limits.stall_timeout))
        }
        ureq::Error::Timeout(t) => format!("it timed out ({t})"),
        ureq::Error::HostNotFound => return FetchError::Network("the host name does not resolve".into()),
        ureq::Error::Io(io) => return FetchError::Network(io.to_string()),
        other => return FetchError::Network(other.to_string()),
    };
    FetchError::TimedOut { what, received }
}

/// Sends a GET for `url` and follows redirects (each hop held to
/// [`check_url`]'s rule, and a redirect from elsewhere never to this
/// machine), up to an answer of 200 OK with a plain body. `agent` names
/// Cordon to the server.
pub fn get(url: &str, limits: &Limits, agent: &str) -> Result<Response, FetchError> {
    let mut uri = parse(url)?;
    let mut hops = 0;
    loop {
        let local = uri.host().is_some_and(is_loopback);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(agent)
            // The body is checked against its Content-Length as sent.
            .accept_encoding("identity")
            .timeout_global(Some(limits.timeout))
            .timeout_connect(Some(limits.connect_timeout))
            .timeout_per_read(Some(limits.stall_timeout))
            // A proxy from the environment (HTTPS_PROXY) for the world,
            // never for this machine.
            .proxy(if local { None } else { ureq::Proxy::try_from_env() })
            .build();
        let agent_ = ureq::Agent::new_with_config(config);
        let resp = agent_.get(uri.clone()).call().map_err(|e| failure(e, limits, None))?;
        let status = resp.status();
        if status.is_redirection()
            && let Some(location) = header(&resp, "location")
        {
            hops += 1;
            if hops > limits.max_redirects {
                return Err(FetchError::Redirects(limits.max_redirects));
            }
            let next = resolve(&uri, &location);
            let next_uri =
                parse(&next).map_err(|e| FetchError::Redirected { to: next.clone(), reason: e.to_string() })?;
            if !local && next_uri.host().is_some_and(is_loopback) {
                return Err(FetchError::Redirected { to: next, reason: "a place on this machine".into() });
            }
            uri = next_uri;
            continue;
        }
        if status.as_u16() != 200 {
            return Err(FetchError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or_default().to_string(),
            });
        }
        if let Some(enc) = header(&resp, "content-encoding").filter(|e| !e.eq_ignore_ascii_case("identity")) {
            return Err(FetchError::Encoded(enc));
        }
        let content_type = header(&resp, "content-type")
            .map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty());
        let content_length = match header(&resp, "content-length") {
            Some(v) => Some(v.parse::<u64>().map_err(|_| FetchError::Network(format!("a bad Content-Length `{v}`")))?),
            None => None,
        };
        if let Some(n) = content_length.filter(|n| *n > limits.max_bytes) {
            return Err(FetchError::TooLarge { limit: limits.max_bytes, announced: Some(n) });
        }
        return Ok(Response {
            url: uri.to_string(),
            content_type,
            content_length,
            body: resp.into_body(),
            limits: *limits,
        });
    }
}

impl Response {
    /// Streams the body into a new file at `path`: at most the size limit,
    /// and exactly the `Content-Length` when there is one. Returns the
    /// number of bytes written.
    pub fn save(self, path: &Path) -> Result<u64, FetchError> {
        let shown = path.display().to_string();
        let write_err = |e: std::io::Error| FetchError::Write { path: shown.clone(), message: e.to_string() };
        let mut file = std::fs::File::create(path).map_err(write_err)?;
        let mut reader = self.body.into_reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut received: u64 = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(match ureq::Error::from(e) {
                        ureq::Error::Io(io) => FetchError::Truncated {
                            received,
                            announced: self.content_length,
                            cause: Some(io.to_string()),
                        },
                        other => match failure(other, &self.limits, Some(received)) {
                            FetchError::Network(cause) => {
                                FetchError::Truncated { received, announced: self.content_length, cause: Some(cause) }
                            }
                            timed_out => timed_out,
                        },
                    });
                }
            };
            received += n as u64;
            if received > self.limits.max_bytes {
                return Err(FetchError::TooLarge { limit: self.limits.max_bytes, announced: None });
            }
            file.write_all(buf.get(..n).unwrap_or_default()).map_err(write_err)?;
        }
        file.flush().map_err(write_err)?;
        match self.content_length {
            Some(n) if n != received => Err(FetchError::Truncated { received, announced: Some(n), cause: None }),
            _ => Ok(received),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_http_to_this_machine() {
        assert!(check_url("https://scsanctions.un.org/resources/xml/en/consolidated.xml").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x.xml").is_ok());
        assert!(check_url("http://127.1.2.3/x.xml").is_ok());
        assert!(check_url("http://localhost/x.xml").is_ok());
        assert!(check_url("http://[::1]:9000/x.xml").is_ok());
        let e = check_url("http://example.org/x.xml").unwrap_err();
        assert!(matches!(e, FetchError::Url { insecure: true, .. }), "{e:?}");
        assert!(matches!(check_url("http://10.0.0.1/x.xml"), Err(FetchError::Url { insecure: true, .. })));
        assert!(matches!(check_url("http://127.0.0.1.example.org/"), Err(FetchError::Url { insecure: true, .. })));
        for bad in ["ftp://example.org/x", "file:///etc/passwd", "example.org/x.xml", "https://", "not a url"] {
            assert!(matches!(check_url(bad), Err(FetchError::Url { insecure: false, .. })), "{bad}");
        }
    }

    #[test]
    fn redirects_resolve_against_the_url_that_sent_them() {
        let base: Uri = "https://a.example/api/exports/SDN.CSV".parse().unwrap();
        assert_eq!(resolve(&base, "https://b.example/x"), "https://b.example/x");
        assert_eq!(resolve(&base, "//c.example/y"), "https://c.example/y");
        assert_eq!(resolve(&base, "/files/sdn.csv"), "https://a.example/files/sdn.csv");
        assert_eq!(resolve(&base, "sdn.csv?v=2"), "https://a.example/api/exports/sdn.csv?v=2");
        let root: Uri = "http://127.0.0.1:8000".parse().unwrap();
        assert_eq!(resolve(&root, "x.xml"), "http://127.0.0.1:8000/x.xml");
    }

    /// Serves `reply` (raw bytes: status line, headers, body) to one
    /// connection on loopback; returns its URL.
    fn serve_once(reply: &'static [u8]) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut conn, _)) = listener.accept() {
                let mut head = [0u8; 4096];
                let _ = conn.read(&mut head);
                let _ = conn.write_all(reply);
            }
        });
        format!("http://{addr}/list.xml")
    }

    #[test]
    fn a_body_without_a_length_is_capped_while_it_streams() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits { max_bytes: 10, ..Limits::default() };
        let url =
            serve_once(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/xml\r\n\r\n<a>0123456789</a>");
        let r = get(&url, &limits, "test").unwrap();
        assert_eq!((r.content_type.as_deref(), r.content_length), (Some("text/xml"), None));
        let e = r.save(&dir.path().join("x.xml")).unwrap_err();
        assert_eq!(e, FetchError::TooLarge { limit: 10, announced: None });
        let url = serve_once(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<a/>");
        let r = get(&url, &limits, "test").unwrap();
        assert_eq!(r.content_type, None);
        assert_eq!(r.save(&dir.path().join("y.xml")), Ok(4));
        assert_eq!(std::fs::read(dir.path().join("y.xml")).unwrap(), b"<a/>");
        let url = serve_once(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        let e = get(&url, &limits, "test").unwrap_err();
        assert_eq!(e.to_string(), "the server answered 204 No Content");
        let url = serve_once(b"HTTP/1.1 301 Moved\r\nLocation: ftp://127.0.0.1/x\r\nConnection: close\r\n\r\n");
        let e = get(&url, &limits, "test").unwrap_err();
        assert!(matches!(&e, FetchError::Redirected { to, .. } if to == "ftp://127.0.0.1/x"), "{e:?}");
    }

    #[test]
    fn messages_say_what_went_wrong() {
        let t = FetchError::Truncated { received: 10, announced: Some(20), cause: None };
        assert_eq!(t.to_string(), "the download is truncated: 10 of the 20 bytes announced arrived");
        let t = FetchError::Truncated { received: 1_015_310, announced: Some(2_030_620), cause: None };
        assert_eq!(t.to_string(), "the download is truncated: 1,015,310 of the 2,030,620 bytes announced arrived");
        let t = FetchError::Truncated { received: 10, announced: None, cause: Some("reset".into()) };
        assert_eq!(t.to_string(), "the download is truncated: the connection broke off after 10 bytes (reset)");
        let s = FetchError::Status { status: 500, reason: "Internal Server Error".into() };
        assert_eq!(s.to_string(), "the server answered 500 Internal Server Error");
        let l = FetchError::TooLarge { limit: 5, announced: Some(9) };
        assert_eq!(l.to_string(), "it is larger than the limit of 5 bytes (the server announced 9 bytes)");
        let l = FetchError::TooLarge { limit: 256 * 1024 * 1024, announced: None };
        assert_eq!(l.to_string(), "it is larger than the limit of 256 MiB");
        let t = FetchError::TimedOut { what: "no connection within 30 s".into(), received: Some(1000) };
        assert_eq!(t.to_string(), "no connection within 30 s; 1,000 bytes had arrived");
    }
}
