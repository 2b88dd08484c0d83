//! `cordon lists update`: the lists Cordon downloads and where from (the
//! official files by default; `sources.yaml` in the lists folder overrides
//! them, read by `config::load_list_sources`), and fetching one list: each
//! file downloaded into a temporary folder under the name the importer
//! expects (`download`), its status, type, length and size checked, then
//! imported as `lists import` would (`import_list`) so that a file cut
//! short or in another format fails there. Nothing in the lists folder
//! changes here: the caller holds the entry count to the current snapshot
//! ([`check_count`], shared with `lists import`) and saves through `Store`.

use std::path::{Path, PathBuf};

use super::download::{self, FetchError, Limits};
use crate::lists::Snapshot;
use crate::lists::import::{Format, ImportError, ofac_csv};

/// The UN Security Council Consolidated List, XML, as the UN publishes it.
pub const UN_SC_URL: &str = "https://scsanctions.un.org/resources/xml/en/consolidated.xml";

/// Where OFAC's Sanctions List Service publishes the SDN list's legacy
/// files (`SDN.CSV`, `ALT.CSV`, `ADD.CSV`, `SDN_COMMENTS.CSV`).
pub const OFAC_EXPORTS_URL: &str = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/";

/// OpenSanctions' consolidated sanctions collection, FollowTheMoney JSON
/// lines (CC BY-NC 4.0: commercial use needs their licence, hence opt-in).
pub const OPENSANCTIONS_URL: &str = "https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json";

/// How Cordon names itself to the servers.
const USER_AGENT: &str = concat!("cordon/", env!("CARGO_PKG_VERSION"), " (lists update)");

/// The name of the list-sources file in a lists folder.
pub const SOURCES_FILE: &str = "sources.yaml";

/// A list Cordon can download: its name in Cordon, its format and the
/// URLs of its file(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSource {
    /// The list's name (`UN_SC`).
    pub name: String,
    /// The files' format.
    pub format: Format,
    /// The files, one URL each (OFAC CSV: sdn.csv and its companions).
    pub urls: Vec<String>,
    /// Whether `cordon lists update` without names updates it; a list
    /// that is not (opt-in) is updated only when named.
    pub enabled: bool,
}

/// The lists Cordon knows where to download: `UN_SC` and `OFAC_SDN` from
/// their official publishers, and `OPENSANCTIONS` (opt-in).
pub fn defaults() -> Vec<ListSource> {
    let ofac = ["SDN.CSV", "ALT.CSV", "ADD.CSV", "SDN_COMMENTS.CSV"];
    vec![
        ListSource { name: "UN_SC".into(), format: Format::UnXml, urls: vec![UN_SC_URL.into()], enabled: true },
        ListSource {
            name: "OFAC_SDN".into(),
            format: Format::OfacCsv,
            urls: ofac.iter().map(|f| format!("{OFAC_EXPORTS_URL}{f}")).collect(),
            enabled: true,
        },
        ListSource {
            name: "OPENSANCTIONS".into(),
            format: Format::Ftm,
            urls: vec![OPENSANCTIONS_URL.into()],
            enabled: false,
        },
    ]
}

/// The last segment of a URL's path (`SDN.CSV`), without query or fragment.
fn last_segment(url: &str) -> &str {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.rsplit('/').next().unwrap_or_default()
}

/// A source that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    /// The URL at fault, if one is.
    pub url: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Advice.
    pub help: String,
}

/// Advice for a URL that is not https.
const HTTPS_HELP: &str = "lists are downloaded over HTTPS; plain http:// is accepted only from this machine (`127.0.0.1`, `localhost`, `[::1]`): write the URL with https://";

/// Advice for OFAC's CSV files.
const OFAC_HELP: &str =
    "OFAC's CSV files are told apart by name: give URLs ending in SDN.CSV, ALT.CSV, ADD.CSV and SDN_COMMENTS.CSV";

/// Checks a source before anything is downloaded: a list name, at least
/// one URL, each https (or http to this machine), and for OFAC CSV files
/// named as OFAC names them, sdn.csv among them, none twice.
pub fn check_source(source: &ListSource) -> Result<(), SourceProblem> {
    let problem = |url: Option<&String>, message: String, help: &str| SourceProblem {
        url: url.cloned(),
        message,
        help: help.to_string(),
    };
    if !crate::lists::store::valid_name(&source.name) {
        let help = "use letters, digits and `_` (e.g. `UN_SC`, `OFAC_SDN`)";
        return Err(problem(None, format!("`{}` is not a list name", source.name), help));
    }
    if source.urls.is_empty() {
        return Err(problem(
            None,
            format!("`{}` has no URL", source.name),
            "give the URL of its file (`url: https://…`)",
        ));
    }
    let mut roles = Vec::new();
    for url in &source.urls {
        download::check_url(url).map_err(|e| {
            let help = match e {
                FetchError::Url { insecure: true, .. } => HTTPS_HELP,
                _ => "write the URL in full: `https://host/path`",
            };
            problem(Some(url), format!("`{url}`: {e}"), help)
        })?;
        if source.format == Format::OfacCsv {
            let Some(role) = ofac_csv::role_of(Path::new(last_segment(url))) else {
                let message = format!("`{url}`: cannot tell which OFAC file it is");
                return Err(problem(Some(url), message, OFAC_HELP));
            };
            if roles.contains(&role) {
                return Err(problem(Some(url), format!("`{url}`: a second {}", role.file_name()), OFAC_HELP));
            }
            roles.push(role);
        }
    }
    if source.format == Format::OfacCsv && !roles.contains(&ofac_csv::Role::Sdn) {
        return Err(problem(None, format!("`{}` has no sdn.csv among its URLs", source.name), OFAC_HELP));
    }
    Ok(())
}

/// The name a download is saved under in the temporary folder: for OFAC
/// CSV the file's role name (the importer tells the files apart by name),
/// else the URL's last segment if it is a plain file name.
fn local_name(format: Format, url: &str, index: usize, taken: &[PathBuf]) -> String {
    let last = last_segment(url);
    if format == Format::OfacCsv
        && let Some(role) = ofac_csv::role_of(Path::new(last))
    {
        return role.file_name().to_string();
    }
    let plain = !last.is_empty()
        && !last.starts_with('.')
        && last.len() <= 100
        && last.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let name = if plain { last.to_string() } else { format!("download-{}", index + 1) };
    if taken.iter().any(|p| p.file_name().is_some_and(|n| n == name.as_str())) {
        format!("{}-{name}", index + 1)
    } else {
        name
    }
}

/// What a server may call a file of `format`: `Err` with what was expected
/// when the type is another kind of document (an HTML error or sign-in
/// page, JSON for XML). No type, a generic binary type and `text/plain`
/// pass: the importer checks the bytes.
pub fn plausible_type(format: Format, content_type: Option<&str>) -> Result<(), &'static str> {
    let Some(t) = content_type else { return Ok(()) };
    let generic = [
        "application/octet-stream",
        "binary/octet-stream",
        "application/download",
        "application/x-download",
        "application/force-download",
        "text/plain",
    ];
    if generic.contains(&t) {
        return Ok(());
    }
    let (ok, expected) = match format {
        Format::UnXml | Format::OfacXml => (
            matches!(t, "application/xml" | "text/xml" | "application/x-xml")
                || (t.ends_with("+xml") && t != "application/xhtml+xml"),
            "XML",
        ),
        Format::OfacCsv | Format::Watchlist => (
            matches!(
                t,
                "text/csv"
                    | "application/csv"
                    | "text/x-csv"
                    | "application/x-csv"
                    | "text/comma-separated-values"
                    | "application/vnd.ms-excel"
            ),
            "CSV",
        ),
        Format::Ftm => (
            matches!(
                t,
                "application/json"
                    | "application/x-ndjson"
                    | "application/ndjson"
                    | "application/jsonl"
                    | "application/x-jsonlines"
                    | "application/jsonlines"
            ),
            "JSON lines",
        ),
    };
    if ok { Ok(()) } else { Err(expected) }
}

/// Why a list could not be downloaded or was refused before import.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum UpdateError {
    /// The source itself is unusable (a URL that is not https, an OFAC
    /// file of an unknown name).
    #[error("{list}: {message}")]
    #[diagnostic(code(cordon::lists::source), help("{help}"))]
    Source {
        /// The list.
        list: String,
        /// What is wrong.
        message: String,
        /// Advice.
        help: String,
    },
    /// A download that failed: no answer, a status other than 200, too
    /// many redirects, too large, truncated.
    #[error("{list}: cannot download `{url}`: {source}")]
    #[diagnostic(code(cordon::lists::download), help("{help}"))]
    Download {
        /// The list.
        list: String,
        /// The URL asked for.
        url: String,
        /// What went wrong.
        source: FetchError,
        /// Advice.
        help: &'static str,
    },
    /// The server said the file is another kind of document.
    #[error("{list}: `{url}` sent `{content_type}`, not {expected}")]
    #[diagnostic(
        code(cordon::lists::content_type),
        help(
            "an HTML page in place of a list is usually an error, maintenance or sign-in page: open the URL in a browser, and check the URL in `sources.yaml`"
        )
    )]
    ContentType {
        /// The list.
        list: String,
        /// The URL asked for.
        url: String,
        /// The `Content-Type` it sent.
        content_type: String,
        /// What the format needs (`XML`).
        expected: &'static str,
    },
    /// The download arrived whole but is not a file of the list's format:
    /// cut short by the server, an error document, another layout.
    #[error("{list}: `{url}` is malformed: {reason}")]
    #[diagnostic(
        code(cordon::lists::malformed),
        help(
            "the download is not a whole {format} file; try again later, and check the URL and `format` in `sources.yaml`"
        )
    )]
    Malformed {
        /// The list.
        list: String,
        /// The URL of the file at fault.
        url: String,
        /// The importer's message.
        reason: String,
        /// The format expected.
        format: Format,
    },
    /// The temporary folder for the downloads could not be made.
    #[error("cannot make a temporary folder for the downloads: {0}")]
    #[diagnostic(code(cordon::lists::temp), help("check `TMPDIR`, its permissions and free space"))]
    Temp(std::io::Error),
}

impl UpdateError {
    /// The list the error is about (`None` for the temporary folder).
    pub fn list(&self) -> Option<&str> {
        match self {
            UpdateError::Source { list, .. }
            | UpdateError::Download { list, .. }
            | UpdateError::ContentType { list, .. }
            | UpdateError::Malformed { list, .. } => Some(list),
            UpdateError::Temp(_) => None,
        }
    }
}

/// Advice for a failed download.
fn fetch_help(e: &FetchError) -> &'static str {
    match e {
        FetchError::Url { insecure: true, .. } => HTTPS_HELP,
        FetchError::Url { .. } => "write the URL in full: `https://host/path`",
        FetchError::Redirected { .. } => {
            "redirects are followed only to https:// (and to this machine only from this machine): give a URL that serves the file over HTTPS"
        }
        FetchError::Network(_) => "check the network and the URL; behind a proxy, set `HTTPS_PROXY`",
        FetchError::TimedOut { .. } => {
            "the server is slow or busy: try again later, or allow it longer with `--timeout SECONDS`"
        }
        FetchError::Status { status, .. } if *status >= 500 => "the server failed; try again later",
        FetchError::Status { .. } => "the server refused the file: check the URL in `sources.yaml`",
        FetchError::Redirects(_) => "the URL redirects in a loop or too often: give the file's final URL",
        FetchError::TooLarge { .. } => "if the list really grew this large, raise the limit with `--max-size`",
        FetchError::Truncated { .. } => "the connection broke off; try again later",
        FetchError::Encoded(_) => "the server compressed the file unasked: give a URL that serves it plain",
        FetchError::Write { .. } => "check `TMPDIR`, its permissions and free space",
    }
}

/// One file of a list, downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedFile {
    /// The URL asked for.
    pub url: String,
    /// The URL that answered, after redirects.
    pub from: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
}

/// A list downloaded, checked and imported: not saved.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The snapshot, its `sources` the URLs.
    pub snapshot: Snapshot,
    /// The files, in the order of the source's URLs.
    pub files: Vec<FetchedFile>,
}

/// Downloads a list's files into a temporary folder (removed afterwards),
/// checks each (status, type, length, size) and imports them as `lists
/// import` would; `on_file` is told of each file as it arrives. Nothing is
/// saved.
pub fn fetch(
    source: &ListSource,
    limits: &Limits,
    on_file: &mut dyn FnMut(&FetchedFile),
) -> Result<Fetched, UpdateError> {
    let list = source.name.clone();
    check_source(source).map_err(|p| UpdateError::Source { list: list.clone(), message: p.message, help: p.help })?;
    let dir = tempfile::Builder::new().prefix("cordon-update-").tempdir().map_err(UpdateError::Temp)?;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut files = Vec::new();
    for (i, url) in source.urls.iter().enumerate() {
        let failed = |e: FetchError| UpdateError::Download {
            list: list.clone(),
            url: url.clone(),
            help: fetch_help(&e),
            source: e,
        };
        let response = download::get(url, limits, USER_AGENT).map_err(failed)?;
        if let Err(expected) = plausible_type(source.format, response.content_type.as_deref()) {
            return Err(UpdateError::ContentType {
                list,
                url: url.clone(),
                content_type: response.content_type.unwrap_or_default(),
                expected,
            });
        }
        let path = dir.path().join(local_name(source.format, url, i, &paths));
        let from = response.url.clone();
        let content_type = response.content_type.clone();
        let bytes = response.save(&path).map_err(failed)?;
        let file = FetchedFile { url: url.clone(), from, bytes, content_type };
        on_file(&file);
        files.push(file);
        paths.push(path);
    }
    let url_of = |shown: &str| {
        paths.iter().position(|p| p.display().to_string() == shown).and_then(|i| source.urls.get(i)).cloned()
    };
    let mut snapshot = super::import_list(&paths, Some(source.format), &source.name).map_err(|e| {
        let (url, reason) = match e {
            ImportError::Format { path, reason } => (url_of(&path), reason),
            ImportError::Io { path, source } => (url_of(&path), format!("cannot read the download: {source}")),
            other => (None, other.to_string()),
        };
        UpdateError::Malformed {
            list: list.clone(),
            url: url.unwrap_or_else(|| source.urls.join("`, `")),
            reason,
            format: source.format,
        }
    })?;
    snapshot.sources = source.urls.clone();
    Ok(Fetched { snapshot, files })
}

/// Why a new snapshot may not replace the current one: it holds no
/// entries, or fewer than `min_ratio` per cent of the current one's (a
/// source cut short, or in another layout, would otherwise replace the list
/// and every screen would say "no match"; red team H6). `lists import` and
/// `lists update` both hold to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Shrinkage {
    /// No entries at all.
    #[error("yields no entries")]
    Empty,
    /// Far fewer entries than the current snapshot.
    #[error("yields {now} entries, fewer than {min_ratio}% of the {before} in the snapshot it would replace")]
    Fewer {
        /// Entries in the new snapshot.
        now: usize,
        /// Entries in the current one.
        before: usize,
        /// The least share accepted, in per cent.
        min_ratio: u8,
    },
}

/// Holds a new snapshot's entry count to the current snapshot's (see
/// [`Shrinkage`]).
pub fn check_count(new: &Snapshot, current: Option<&Snapshot>, min_ratio: u8) -> Result<(), Shrinkage> {
    let (now, before) = (new.entries.len(), current.map_or(0, |p| p.entries.len()));
    if now == 0 {
        Err(Shrinkage::Empty)
    } else if before > 0 && now * 100 < before * usize::from(min_ratio) {
        Err(Shrinkage::Fewer { now, before, min_ratio })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(format: Format, urls: &[&str]) -> ListSource {
        ListSource { name: "L".into(), format, urls: urls.iter().map(|u| u.to_string()).collect(), enabled: true }
    }

    #[test]
    fn the_defaults_are_the_official_files_and_check() {
        let d = defaults();
        let names: Vec<&str> = d.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["UN_SC", "OFAC_SDN", "OPENSANCTIONS"]);
        assert_eq!(
            d[1].urls[3],
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_COMMENTS.CSV"
        );
        assert!(!d[2].enabled, "OpenSanctions is opt-in");
        for s in &d {
            assert_eq!(check_source(s), Ok(()), "{}", s.name);
        }
    }

    #[test]
    fn sources_are_checked_before_anything_is_sent() {
        let e = check_source(&source(Format::UnXml, &["http://example.org/c.xml"])).unwrap_err();
        assert_eq!(e.url.as_deref(), Some("http://example.org/c.xml"));
        assert!(e.message.contains("plain http://"), "{}", e.message);
        assert_eq!(e.help, HTTPS_HELP);
        assert!(check_source(&source(Format::UnXml, &[])).is_err());
        let e = check_source(&source(Format::OfacCsv, &["https://h/x/ALT.CSV"])).unwrap_err();
        assert!(e.message.contains("no sdn.csv"), "{}", e.message);
        let e = check_source(&source(Format::OfacCsv, &["https://h/sdn.csv", "https://h/list?id=2"])).unwrap_err();
        assert!(e.message.contains("cannot tell which OFAC file"), "{}", e.message);
        let e = check_source(&source(Format::OfacCsv, &["https://h/sdn.csv", "https://g/SDN.CSV"])).unwrap_err();
        assert!(e.message.contains("a second sdn.csv"), "{}", e.message);
        let mut bad = source(Format::UnXml, &["https://h/c.xml"]);
        bad.name = "../x".into();
        assert!(check_source(&bad).is_err());
    }

    #[test]
    fn downloads_are_saved_under_the_names_the_importer_expects() {
        let taken: Vec<PathBuf> = vec![PathBuf::from("/t/entities.ftm.json")];
        assert_eq!(local_name(Format::OfacCsv, "https://h/api/exports/SDN_COMMENTS.CSV", 3, &[]), "sdn_comments.csv");
        assert_eq!(local_name(Format::OfacCsv, "https://h/a/ADD.CSV?x=1", 2, &[]), "add.csv");
        assert_eq!(local_name(Format::UnXml, UN_SC_URL, 0, &[]), "consolidated.xml");
        assert_eq!(local_name(Format::Ftm, "https://h/a/entities.ftm.json", 1, &taken), "2-entities.ftm.json");
        assert_eq!(local_name(Format::UnXml, "https://h/get?file=../../x", 0, &[]), "get");
        assert_eq!(local_name(Format::UnXml, "https://h/", 0, &[]), "download-1");
        assert_eq!(local_name(Format::UnXml, "https://h/.hidden", 4, &[]), "download-5");
        assert_eq!(last_segment("https://h/a/b.xml#top"), "b.xml");
        assert_eq!(last_segment("https://h"), "");
    }

    #[test]
    fn content_types_must_fit_the_format() {
        for (f, t) in [
            (Format::UnXml, "application/xml"),
            (Format::UnXml, "text/xml"),
            (Format::UnXml, "application/atom+xml"),
            (Format::OfacCsv, "text/csv"),
            (Format::OfacCsv, "application/vnd.ms-excel"),
            (Format::Ftm, "application/x-ndjson"),
            (Format::Ftm, "application/json"),
            (Format::OfacCsv, "application/octet-stream"),
            (Format::UnXml, "text/plain"),
        ] {
            assert_eq!(plausible_type(f, Some(t)), Ok(()), "{f} {t}");
        }
        assert_eq!(plausible_type(Format::UnXml, None), Ok(()));
        for (f, t, want) in [
            (Format::UnXml, "text/html", "XML"),
            (Format::UnXml, "application/xhtml+xml", "XML"),
            (Format::UnXml, "application/json", "XML"),
            (Format::OfacCsv, "text/html", "CSV"),
            (Format::OfacCsv, "application/xml", "CSV"),
            (Format::Ftm, "text/html", "JSON lines"),
            (Format::Ftm, "image/png", "JSON lines"),
        ] {
            assert_eq!(plausible_type(f, Some(t)), Err(want), "{f} {t}");
        }
    }

    #[test]
    fn an_empty_or_shrunken_snapshot_is_refused() {
        let snap = |n: usize| Snapshot {
            name: "L".into(),
            format: "un-xml".into(),
            sources: vec![],
            published: None,
            fingerprint: String::new(),
            entries: (0..n)
                .map(|i| crate::lists::Entry {
                    reference: format!("R{i}"),
                    kind: crate::lists::Kind::Entity,
                    names: vec![],
                    dates_of_birth: vec![],
                    nationalities: vec![],
                    addresses: vec![],
                    imo: vec![],
                    programmes: vec![],
                    listed_on: None,
                    remarks: None,
                })
                .collect(),
            notes: vec![],
        };
        assert_eq!(check_count(&snap(0), None, 50), Err(Shrinkage::Empty));
        assert_eq!(check_count(&snap(3), None, 50), Ok(()));
        assert_eq!(check_count(&snap(5), Some(&snap(10)), 50), Ok(()));
        let e = check_count(&snap(4), Some(&snap(10)), 50).unwrap_err();
        assert_eq!(e.to_string(), "yields 4 entries, fewer than 50% of the 10 in the snapshot it would replace");
        assert_eq!(check_count(&snap(4), Some(&snap(10)), 40), Ok(()));
        assert_eq!(check_count(&snap(1), Some(&snap(10)), 0), Ok(()));
    }
}
