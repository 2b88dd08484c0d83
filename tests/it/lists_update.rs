//! `cordon lists update` against a web server on loopback serving the real
//! list files (the UN XML, OFAC's four CSV files, OpenSanctions FtM): a list
//! downloaded, saved, replaced with its history kept and the diff shown; and
//! every way a download goes wrong — a server error, an HTML page, a
//! truncated body, an XML cut mid-file, a list that shrank, too large,
//! redirects, a stalled server — refused with the previous snapshot byte
//! for byte as it was. Nothing here reaches beyond 127.0.0.1.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cordon::unstable::sources::Store;
use serde_json::Value;

use super::harness::{TempPack, cordon, root, stderr, stdout};

/// What the server answers for one path.
#[derive(Clone, Default)]
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// A `Content-Length` other than the body's (a body cut short).
    length: Option<usize>,
    /// A `Location` header (with a 3xx status).
    location: Option<String>,
    /// A `Content-Encoding` header.
    encoding: Option<&'static str>,
    /// Send the headers and a little of the body, then wait this long.
    stall: Option<Duration>,
}

impl Reply {
    fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status: 200, content_type: Some(content_type), body: body.into(), ..Reply::default() }
    }

    fn file(content_type: &'static str, path: &str) -> Reply {
        Reply::ok(content_type, std::fs::read(root().join(path)).expect("fixture"))
    }

    fn redirect(to: &str) -> Reply {
        Reply { status: 302, location: Some(to.to_string()), ..Reply::default() }
    }
}

/// A web server on 127.0.0.1 and an ephemeral port, one thread per
/// connection, each answered with `Connection: close`; stopped when dropped.
struct Site {
    addr: String,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr").to_string();
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (Arc::clone(&routes), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let routes = Arc::clone(&r);
                std::thread::spawn(move || answer(conn, &routes));
            }
        });
        Site { addr, routes, stop, thread: Some(thread) }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn serve(&self, path: &str, reply: Reply) {
        self.routes.lock().expect("routes").insert(path.to_string(), reply);
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(&self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(mut conn: TcpStream, routes: &Mutex<HashMap<String, Reply>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let reply = routes.lock().expect("routes").get(&path).cloned().unwrap_or(Reply {
        status: 404,
        content_type: Some("text/html"),
        body: b"<html><body>Not Found</body></html>".to_vec(),
        ..Reply::default()
    });
    let reason = match reply.status {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    };
    let mut out = format!("HTTP/1.1 {} {reason}\r\nConnection: close\r\n", reply.status);
    if let Some(t) = reply.content_type {
        out.push_str(&format!("Content-Type: {t}\r\n"));
    }
    if let Some(l) = &reply.location {
        out.push_str(&format!("Location: {l}\r\n"));
    }
    if let Some(e) = reply.encoding {
        out.push_str(&format!("Content-Encoding: {e}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", reply.length.unwrap_or(reply.body.len())));
    if conn.write_all(out.as_bytes()).is_err() {
        return;
    }
    if let Some(wait) = reply.stall {
        let _ = conn.write_all(&reply.body[..reply.body.len().min(1000)]);
        let _ = conn.flush();
        std::thread::sleep(wait);
        return;
    }
    let _ = conn.write_all(&reply.body);
    let _ = conn.flush();
}

const UN_2018: &str = "tests/fixtures/lists/un-consolidated-2018-10-29.xml";
const UN_2026: &str = "seeds/lists/sources/un-consolidated-2026-02-27.xml";
const OFAC: [(&str, &str); 4] =
    [("SDN.CSV", "sdn.csv"), ("ALT.CSV", "alt.csv"), ("ADD.CSV", "add.csv"), ("SDN_COMMENTS.CSV", "sdn_comments.csv")];
const OFAC_2021: &str = "seeds/lists/sources/ofac-sdn-2021-07";
const OFAC_SHIPPED: &str = "seeds/lists/sources/ofac-sdn-2024-05-03-with-2025-02-companions";

/// Serves OFAC's four files of the release in `dir` under their official names.
fn serve_ofac(site: &Site, dir: &str, content_type: &'static str, leave_out: Option<&str>) {
    for (name, file) in OFAC.iter().filter(|(n, _)| Some(*n) != leave_out) {
        site.serve(&format!("/ofac/{name}"), Reply::file(content_type, &format!("{dir}/{file}")));
    }
}

/// A lists folder whose `sources.yaml` sends every list Cordon knows to
/// `site` (so no test can reach the official servers).
fn lists_for(site: &Site) -> (TempPack, PathBuf) {
    let tmp = TempPack::new(&[]);
    let dir = tmp.path().join("lists");
    let ofac: Vec<String> =
        OFAC.iter().map(|(f, _)| format!("      - {}\n", site.url(&format!("/ofac/{f}")))).collect();
    tmp.write(
        "lists/sources.yaml",
        format!(
            "# test sources: all on loopback\nlists:\n  UN_SC:\n    url: {}\n  OFAC_SDN:\n    urls:\n{}  OPENSANCTIONS:\n    url: {}\n    enabled: false\n",
            site.url("/un/consolidated.xml"),
            ofac.concat(),
            site.url("/os/entities.ftm.json")
        ),
    );
    (tmp, dir)
}

fn update(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["lists", "update", "--error-format", "plain", "--lists", dir.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    cordon(&args)
}

/// Every file in the lists folder and its history, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in [dir.to_path_buf(), dir.join("history")] {
        for e in std::fs::read_dir(&sub).into_iter().flatten().flatten() {
            if e.path().is_file() {
                out.push((e.path().display().to_string(), std::fs::read(e.path()).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// The UN XML with only the first tenth of its individuals and no entities:
/// a list that shrank suspiciously.
fn un_tenth() -> Vec<u8> {
    let text = std::fs::read_to_string(root().join(UN_2026)).expect("source");
    let entries: Vec<&str> = text.split("<INDIVIDUAL>").collect();
    let kept = entries[1..entries.len() / 10].join("<INDIVIDUAL>");
    let kept = kept.split("</INDIVIDUALS>").next().expect("individuals");
    format!("{}<INDIVIDUAL>{kept}</INDIVIDUALS><ENTITIES></ENTITIES></CONSOLIDATED_LIST>", entries[0]).into_bytes()
}

#[test]
fn update_downloads_saves_keeps_history_and_shows_the_changes() {
    let site = Site::start();
    let (_tmp, dir) = lists_for(&site);
    site.serve("/un/consolidated.xml", Reply::file("application/xml", UN_2018));
    serve_ofac(&site, OFAC_2021, "text/csv", None);

    // The first snapshot of UN_SC.
    let o = update(&dir, &["UN_SC"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("UN_SC: saved, the first snapshot of this list\n"), "{out}");
    assert!(
        out.contains("1,093 entries (703 individuals, 390 entities), published 2018-10-29 (sha256 a24c0fe81f934cc2)"),
        "{out}"
    );
    assert!(out.contains(&format!("from {} (1,615,519 bytes)", site.url("/un/consolidated.xml"))), "{out}");
    let first = Store::new(&dir).load("UN_SC").expect("saved");
    assert_eq!(first.sources, [site.url("/un/consolidated.xml")], "the snapshot records where it came from");

    // A dry run of the newer list shows the changes and saves nothing.
    site.serve("/un/consolidated.xml", Reply::file("text/xml; charset=utf-8", UN_2026));
    let before = files(&dir);
    let o = update(&dir, &["UN_SC", "--dry-run", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let un = &v["lists"][0];
    assert_eq!(
        (un["name"].as_str(), un["status"].as_str(), un["dry_run"].as_bool()),
        (Some("UN_SC"), Some("updated"), Some(true))
    );
    assert_eq!(un["added"].as_array().map(Vec::len), Some(111));
    assert_eq!(un["removed"].as_array().map(Vec::len), Some(201));
    assert_eq!(un["changed"].as_array().map(Vec::len), Some(635));
    assert_eq!((un["entries"].as_u64(), un["previous"]["entries"].as_u64()), (Some(1003), Some(1093)));
    assert_eq!(un["files"][0]["content_type"], "text/xml");
    assert_eq!(files(&dir), before, "a dry run saves nothing");

    // Every enabled list: UN_SC replaced (history kept), OFAC_SDN new;
    // OPENSANCTIONS is opt-in and not asked for.
    let o = update(&dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("UN_SC: updated\n"), "{out}");
    assert!(
        out.contains("since the snapshot published 2018-10-29 (sha256 a24c0fe81f934cc2): 111 added, 201 removed, 635 changed, 257 unchanged"),
        "{out}"
    );
    assert!(out.contains("  + CDi.036      SEKA BALUKU\n"), "{out}");
    assert!(out.contains("… and 106 more added"), "{out}");
    assert!(out.contains("  - IQe.003      RAFIDAIN BANK\n"), "{out}");
    assert!(out.contains("the previous snapshot is kept as `"), "{out}");
    assert!(out.contains("OFAC_SDN: saved, the first snapshot of this list"), "{out}");
    assert!(!out.contains("OPENSANCTIONS"), "{out}");
    assert!(
        stderr(&o).contains(&format!("cordon: OFAC_SDN: downloaded {} (2,013,896 bytes)", site.url("/ofac/SDN.CSV"))),
        "{}",
        stderr(&o)
    );
    let history: Vec<PathBuf> = Store::new(&dir).history("UN_SC");
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(Store::new(&dir).resolve("UN_SC@2018-10-29-a24c0fe81f93").expect("kept"), first);
    let show = cordon(&["lists", "show", "UN_SC", "--lists", dir.to_str().expect("utf-8")]);
    assert!(stdout(&show).contains("earlier     UN_SC@2018-10-29-a24c0fe81f93"), "{}", stdout(&show));

    assert_eq!(Store::new(&dir).load("OFAC_SDN").expect("saved").entries.len(), 8976);

    // OFAC's newer release: the four files were saved under the names the
    // importer reads them by, so the snapshot is the shipped one, made from
    // the same bytes, with what the import left out said.
    serve_ofac(&site, OFAC_SHIPPED, "application/octet-stream", None);
    let o = update(&dir, &["OFAC_SDN"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("OFAC_SDN: updated\n  14,965 entries"), "{out}");
    assert!(out.contains("  left out alt.csv: 1468 rows for 945 entries not in sdn.csv skipped"), "{out}");
    let ofac = Store::new(&dir).load("OFAC_SDN").expect("saved");
    let shipped = Store::new(root().join("seeds/lists")).load("OFAC_SDN").expect("shipped");
    assert_eq!(ofac.fingerprint, shipped.fingerprint);
    assert!(ofac.entries == shipped.entries, "aliases, addresses and remarks all read");
    assert_eq!(ofac.notes, shipped.notes);
    assert_eq!(ofac.sources.len(), 4);
    assert_eq!(Store::new(&dir).history("OFAC_SDN").len(), 1);

    // Again: nothing changed, nothing added to the history.
    let o = update(&dir, &["UN_SC"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("UN_SC: unchanged: the current snapshot is the same"), "{}", stdout(&o));
    assert_eq!(Store::new(&dir).history("UN_SC").len(), 1);

    // A redirect is followed, and said.
    site.serve("/moved.xml", Reply::redirect("/un/consolidated.xml"));
    let yaml = std::fs::read_to_string(dir.join("sources.yaml")).expect("yaml");
    std::fs::write(dir.join("sources.yaml"), yaml.replace("/un/consolidated.xml", "/moved.xml")).expect("write");
    let o = update(&dir, &["UN_SC", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("via {}", site.url("/un/consolidated.xml"))), "{}", stdout(&o));
}

#[test]
fn a_bad_download_is_refused_and_the_previous_snapshot_kept() {
    let site = Site::start();
    let (_tmp, dir) = lists_for(&site);
    let url = site.url("/un/consolidated.xml");
    site.serve("/un/consolidated.xml", Reply::file("application/xml", UN_2026));
    assert_eq!(update(&dir, &["UN_SC"]).status.code(), Some(0));
    site.serve("/un/consolidated.xml", Reply::file("application/xml", UN_2018));
    assert_eq!(update(&dir, &["UN_SC"]).status.code(), Some(0));
    let before = files(&dir);
    assert_eq!(before.len(), 4, "sources.yaml, the snapshot, its stored index and one in history");

    let full = std::fs::read(root().join(UN_2026)).expect("source");
    let half = full[..full.len() / 2].to_vec();
    let cases: Vec<(&str, Reply, Vec<&str>, String)> = vec![
        (
            "a server error",
            Reply { status: 500, content_type: Some("text/plain"), body: b"oops".to_vec(), ..Reply::default() },
            vec![],
            format!("UN_SC: cannot download `{url}`: the server answered 500 Internal Server Error"),
        ),
        (
            "a missing file",
            Reply { status: 404, ..Reply::default() },
            vec![],
            format!("UN_SC: cannot download `{url}`: the server answered 404 Not Found"),
        ),
        (
            "an HTML error page sent with 200 OK",
            Reply::ok("text/html; charset=utf-8", "<!DOCTYPE html><html><body>Maintenance</body></html>"),
            vec![],
            format!("UN_SC: `{url}` sent `text/html`, not XML"),
        ),
        (
            "a body shorter than its Content-Length",
            Reply { length: Some(full.len()), ..Reply::ok("application/xml", half.clone()) },
            vec![],
            format!("UN_SC: cannot download `{url}`: the download is truncated"),
        ),
        (
            "an XML file cut mid-file, served with its own length",
            Reply::ok("application/xml", half.clone()),
            vec![],
            format!("UN_SC: `{url}` is malformed: line "),
        ),
        (
            "a list that shrank to a tenth",
            Reply::ok("application/xml", un_tenth()),
            vec![],
            format!(
                "UN_SC from `{url}` yields 72 entries, fewer than 50% of the 1093 in the snapshot it would replace: the current snapshot is kept"
            ),
        ),
        (
            "a file larger than --max-size",
            Reply::file("application/xml", UN_2026),
            vec!["--max-size", "1"],
            format!(
                "UN_SC: cannot download `{url}`: it is larger than the limit of 1 MiB (the server announced 2,030,620 bytes)"
            ),
        ),
        (
            "a body compressed unasked",
            Reply { encoding: Some("gzip"), ..Reply::file("application/xml", UN_2026) },
            vec![],
            format!("UN_SC: cannot download `{url}`: the server sent the file encoded as `gzip`"),
        ),
        (
            "a redirect loop",
            Reply::redirect("/un/consolidated.xml"),
            vec![],
            format!("UN_SC: cannot download `{url}`: more than 5 redirects"),
        ),
        (
            "a redirect to plain http on another machine (never contacted)",
            Reply::redirect("http://lists.invalid/consolidated.xml"),
            vec![],
            format!(
                "UN_SC: cannot download `{url}`: it redirects to `http://lists.invalid/consolidated.xml`: it is plain http:// to another machine"
            ),
        ),
        (
            "a server that stops sending",
            Reply { stall: Some(Duration::from_secs(8)), ..Reply::file("application/xml", UN_2026) },
            vec!["--timeout", "2"],
            format!(
                "UN_SC: cannot download `{url}`: it took longer than the 2 s allowed (`--timeout`); 1,000 bytes had arrived"
            ),
        ),
    ];
    for (what, reply, extra, message) in cases {
        site.serve("/un/consolidated.xml", reply);
        let started = std::time::Instant::now();
        let mut args = vec!["UN_SC"];
        args.extend(extra);
        let o = update(&dir, &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(&message), "{what}: expected {message:?} in\n{err}");
        assert!(err.contains("cordon: 1 of 1 list not updated; its current snapshot is kept"), "{what}: {err}");
        assert!(stdout(&o).is_empty(), "{what}: {}", stdout(&o));
        assert_eq!(files(&dir), before, "{what}: the lists folder is as it was");
        assert!(started.elapsed() < Duration::from_secs(30), "{what}: took {:?}", started.elapsed());
    }

    // The shrunken list is saved when forced, or with a lower --min-ratio.
    site.serve("/un/consolidated.xml", Reply::ok("application/xml", un_tenth()));
    let o = update(&dir, &["UN_SC", "--min-ratio", "5", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("UN_SC: would be updated (dry run: nothing saved)"), "{}", stdout(&o));
    assert_eq!(files(&dir), before);
    let o = update(&dir, &["UN_SC", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(Store::new(&dir).load("UN_SC").expect("saved").entries.len(), 72);
    assert_eq!(Store::new(&dir).history("UN_SC").len(), 2);
}

#[test]
fn one_list_failing_leaves_the_others_updated_and_json_says_which() {
    let site = Site::start();
    let (_tmp, dir) = lists_for(&site);
    site.serve("/un/consolidated.xml", Reply::file("application/xml", UN_2018));
    // OFAC's alt.csv is missing: the whole list is refused, none of its files used.
    serve_ofac(&site, OFAC_2021, "application/octet-stream", Some("ALT.CSV"));
    let o = update(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["failed"], 1);
    assert_eq!(v["lists"][0]["status"], "new");
    assert_eq!(v["lists"][1]["status"], "failed");
    let alt = site.url("/ofac/ALT.CSV");
    assert_eq!(v["lists"][1]["error"], format!("OFAC_SDN: cannot download `{alt}`: the server answered 404 Not Found"));
    assert!(stderr(&o).contains("cordon: 1 of 2 lists not updated; its current snapshot is kept"), "{}", stderr(&o));
    let store = Store::new(&dir);
    assert_eq!(store.names(), ["UN_SC"], "no OFAC_SDN snapshot from three of its four files");
}

#[test]
fn opensanctions_is_opt_in() {
    let site = Site::start();
    let (_tmp, dir) = lists_for(&site);
    site.serve(
        "/os/entities.ftm.json",
        Reply::file("application/json", "tests/fixtures/lists/yente-fixture-t1-eu_fsf.entities.ftm.json"),
    );
    let o = update(&dir, &["OPENSANCTIONS"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first = Store::new(&dir).load("OPENSANCTIONS").expect("saved");
    assert_eq!(first.format, "ftm");
    assert!(stdout(&o).starts_with("OPENSANCTIONS: saved, the first snapshot of this list"), "{}", stdout(&o));
    site.serve(
        "/os/entities.ftm.json",
        Reply::file("application/x-ndjson", "tests/fixtures/lists/yente-fixture-zala.entities.ftm.json"),
    );
    let o = update(&dir, &["OPENSANCTIONS", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["lists"][0]["status"], "updated");
    assert_eq!(v["lists"][0]["previous"]["entries"].as_u64(), Some(first.entries.len() as u64));
    assert!(v["lists"][0]["kept_as"].as_str().is_some_and(|k| k.contains("OPENSANCTIONS@")), "{v}");
    // FtM served as an HTML page is refused.
    site.serve("/os/entities.ftm.json", Reply::ok("text/html", "<html></html>"));
    let o = update(&dir, &["OPENSANCTIONS"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sent `text/html`, not JSON lines"), "{}", stderr(&o));
}

#[test]
fn plain_http_to_another_machine_and_unknown_lists_are_refused_before_anything_is_sent() {
    let tmp = TempPack::new(&[]);
    let dir = tmp.path().join("lists");
    tmp.write("lists/sources.yaml", "lists:\n  UN_SC:\n    url: http://lists.invalid/consolidated.xml\n");
    let o = update(&dir, &["UN_SC"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("list `UN_SC`: `http://lists.invalid/consolidated.xml`: it is plain http:// to another machine"),
        "{err}"
    );
    assert!(err.contains("plain http:// is accepted only from this machine"), "{err}");
    assert!(err.contains("sources.yaml:3"), "the config error points into the file: {err}");

    tmp.write("lists/sources.yaml", "lists:\n  UN_SC:\n    enabled: false\n  OFAC_SDN:\n    enabled: false\n");
    let o = update(&dir, &["UN_CS"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no source for the list `UN_CS`"), "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `UN_SC`?"), "{}", stderr(&o));
    let o = update(&dir, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no list is enabled in"), "{}", stderr(&o));
    assert!(!dir.join("UN_SC.json").exists());
}
