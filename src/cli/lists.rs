//! `cordon lists`: import sanctions lists from their source files, download
//! them from their publishers (`update`), show a snapshot or one entry, and
//! compare two snapshots.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use cordon::unstable::lists::import::Format;
use cordon::unstable::lists::store::{self, Diff};
use cordon::unstable::lists::{Entry, Kind, Snapshot};
use cordon::unstable::sources::download::Limits;
use cordon::unstable::sources::update::{self, FetchedFile, ListSource, Shrinkage};
use cordon::unstable::sources::{Saved, Store, read_snapshot};

use super::{EXIT_ERROR, EXIT_OK, diag};

/// The lists directory used when none is given.
pub const DEFAULT_DIR: &str = "seeds/lists";

/// Where snapshots are kept.
#[derive(clap::Args, Debug, Clone)]
pub struct ListsDir {
    /// Lists directory [default: the `lists` directory of `--rules`, else `seeds/lists`].
    #[arg(long = "lists", value_name = "DIR", env = "CORDON_LISTS")]
    pub dir: Option<PathBuf>,
    /// Use the lists directory of this rule pack (its `cordon.yaml`).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

impl ListsDir {
    /// The directory: `--lists`, else the rule pack's, else `seeds/lists`.
    pub fn resolve(&self) -> Result<PathBuf, cordon::unstable::diagnostics::Diagnostics> {
        if let Some(d) = &self.dir {
            return Ok(d.clone());
        }
        match &self.rules {
            Some(r) => {
                let sources = cordon::FsSources::new(r);
                cordon::unstable::load::load(&sources).map(|p| sources.root().join(p.lists_root))
            }
            None => Ok(PathBuf::from(DEFAULT_DIR)),
        }
    }
}

/// Arguments of `cordon lists`.
#[derive(clap::Args, Debug)]
pub struct ListsArgs {
    #[command(subcommand)]
    command: Option<ListsCommand>,
    #[command(flatten)]
    dir: ListsDir,
}

#[derive(Subcommand, Debug)]
enum ListsCommand {
    /// Import a list from its source file(s) and keep it as the list's current snapshot.
    Import(ImportArgs),
    /// Download lists from their publishers (HTTPS), verify and import them, and show what changed.
    Update(UpdateArgs),
    /// Show a snapshot: source, date, fingerprint, counts; or one entry in full.
    Show(ShowArgs),
    /// Compare two snapshots: entries added, removed and changed.
    Diff(DiffArgs),
}

/// `--format` of `lists show` and `lists diff`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct ImportArgs {
    /// Source file(s): UN XML, OFAC XML, OFAC CSV (sdn.csv and its companions, or their directory), FtM JSON lines, watchlist CSV.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The list's name in Cordon (`UN_SC`, `OFAC_SDN`).
    #[arg(long = "as", value_name = "NAME")]
    name: String,
    /// The source format [default: detected].
    #[arg(long, value_name = "FORMAT", value_parser = ["un-xml", "ofac-csv", "ofac-xml", "ftm", "watchlist-csv"])]
    format: Option<String>,
    /// The publication date (YYYY-MM-DD), for sources that do not state it (OFAC CSV).
    #[arg(long, value_name = "DATE")]
    published: Option<String>,
    #[command(flatten)]
    guard: Guard,
    #[command(flatten)]
    dir: ListsDir,
}

/// What keeps a source that yields nothing, or far less than before, from
/// replacing a list (`import` and `update`).
#[derive(clap::Args, Debug, Clone, Copy)]
struct Guard {
    /// Refuse a snapshot with fewer entries than this percentage of the one it replaces (a source cut short, or
    /// in another layout, would otherwise replace the list and every screen would say "no match").
    #[arg(long, value_name = "PERCENT", default_value_t = 50, value_parser = clap::value_parser!(u8).range(0..=100))]
    min_ratio: u8,
    /// Save the snapshot even when it holds no entries or far fewer than the one it replaces.
    #[arg(long)]
    force: bool,
}

impl Guard {
    /// Why `new` may not replace `current`, unless forced.
    fn refusal(&self, new: &Snapshot, current: Option<&Snapshot>) -> Option<Shrinkage> {
        if self.force { None } else { update::check_count(new, current, self.min_ratio).err() }
    }

    /// Says that `what` (`UN_SC`, `UN_SC from \`URL\``) was refused, what
    /// was kept, and what to check (`check`).
    fn refuse(what: &str, why: &Shrinkage, kept: &str, check: &str) {
        eprintln!("cordon: error: {what} {why}: {kept}");
        eprintln!("  help: {check}; `--force` saves it anyway, `--min-ratio` sets the share");
    }
}

#[derive(clap::Args, Debug)]
struct UpdateArgs {
    /// The lists to update [default: every list with a source: UN_SC and OFAC_SDN, and those `sources.yaml` in the
    /// lists directory enables].
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// Download and verify, show what would change, and save nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    guard: Guard,
    /// Give up on a file that takes longer than this to download.
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    /// Refuse a file larger than this.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    max_size: u64,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    format: OutFormat,
    #[command(flatten)]
    dir: ListsDir,
}

#[derive(clap::Args, Debug)]
struct ShowArgs {
    /// The list (`UN_SC`), an earlier snapshot (`UN_SC@2024-01-01-…`) or a snapshot file.
    name: String,
    /// Show this entry in full (its reference, e.g. `KPe.001`).
    #[arg(long, value_name = "REF")]
    entry: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: OutFormat,
    #[command(flatten)]
    dir: ListsDir,
}

#[derive(clap::Args, Debug)]
struct DiffArgs {
    /// The older snapshot: a list name, `NAME@…`, a snapshot file, or a source file to import on the fly.
    old: String,
    /// The newer one, likewise.
    new: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: OutFormat,
    #[command(flatten)]
    dir: ListsDir,
}

/// Runs `cordon lists …`.
pub fn run(a: ListsArgs) -> u8 {
    let result = match a.command {
        None => names(&a.dir),
        Some(ListsCommand::Import(i)) => run_import(i),
        Some(ListsCommand::Update(u)) => run_update(u),
        Some(ListsCommand::Show(s)) => show(s),
        Some(ListsCommand::Diff(d)) => diff(d),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

fn store_of(dir: &ListsDir) -> Result<Store, u8> {
    match dir.resolve() {
        Ok(d) => Ok(Store::new(d)),
        Err(d) => {
            diag::print_all(&d);
            Err(EXIT_ERROR)
        }
    }
}

fn fail(e: &dyn miette::Diagnostic) -> u8 {
    diag::print(e);
    EXIT_ERROR
}

fn thousands(n: usize) -> String {
    cordon::unstable::values::thousands(n as u64)
}

fn counts(s: &Snapshot) -> String {
    let mut parts = Vec::new();
    for k in [Kind::Individual, Kind::Entity, Kind::Vessel, Kind::Aircraft] {
        let n = s.entries.iter().filter(|e| e.kind == k).count();
        if n > 0 {
            let word = match (k, n) {
                (Kind::Entity, 1) => "entity".to_string(),
                (Kind::Entity, _) => "entities".to_string(),
                (Kind::Aircraft, _) => "aircraft".to_string(),
                (k, 1) => k.name().to_string(),
                (k, _) => format!("{}s", k.name()),
            };
            parts.push(format!("{} {word}", thousands(n)));
        }
    }
    format!("{} entries ({})", thousands(s.entries.len()), parts.join(", "))
}

fn names(dir: &ListsDir) -> Result<(), u8> {
    let store = store_of(dir)?;
    let names = store.names();
    if names.is_empty() {
        outln!("no lists in `{}`; import one with `cordon lists import FILE --as NAME`", store.dir.display());
        return Ok(());
    }
    for n in names {
        match store.load(&n) {
            Ok(s) => outln!(
                "{n:<12} {:<10} published {:<10} {}  sha256 {}",
                s.format,
                s.published.as_deref().unwrap_or("unknown"),
                counts(&s),
                s.fingerprint.get(..16).unwrap_or(&s.fingerprint)
            ),
            Err(e) => diag::print(&e),
        }
    }
    Ok(())
}

fn run_import(a: ImportArgs) -> Result<(), u8> {
    if !store::valid_name(&a.name) {
        return Err(fail(&store::StoreError::BadName(a.name.clone())));
    }
    let store = store_of(&a.dir)?;
    let format = a.format.as_deref().and_then(Format::from_name);
    let mut snapshot = cordon::unstable::sources::import_list(&a.files, format, &a.name).map_err(|e| fail(&e))?;
    if let Some(p) = &a.published {
        if let Err(m) = cordon::unstable::values::Date::parse(p) {
            eprintln!("cordon: error: `--published {p}`: {m}");
            eprintln!("  help: write the date as YYYY-MM-DD");
            return Err(EXIT_ERROR);
        }
        match &snapshot.published {
            Some(stated) if stated != p => {
                eprintln!("cordon: error: the source states it was published on {stated}, not {p}");
                eprintln!("  help: drop `--published`; it is for sources that do not state a date");
                return Err(EXIT_ERROR);
            }
            _ => snapshot.published = Some(p.clone()),
        }
    }
    let previous = store.load(&a.name).ok();
    // A source that yields nothing, or far less than before, is refused
    // unless forced (red team H6: lower-case tags gave 0 entries, saved).
    if let Some(why) = a.guard.refusal(&snapshot, previous.as_ref()) {
        Guard::refuse(&a.name, &why, "the snapshot is not saved", "check the source file and its format (`--format`)");
        return Err(EXIT_ERROR);
    }
    let saved = store.save(&snapshot).map_err(|e| fail(&e))?;
    store_index(&store, &a.name);
    eprintln!(
        "cordon: imported {} from {} ({}): {}, published {}, sha256 {}",
        a.name,
        a.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "),
        snapshot.format,
        counts(&snapshot),
        snapshot.published.as_deref().unwrap_or("unknown"),
        snapshot.fingerprint
    );
    for note in &snapshot.notes {
        eprintln!("cordon: note: {note}");
    }
    match saved {
        Saved::New(p) => eprintln!("cordon: saved `{}`", p.display()),
        Saved::Unchanged(p) => eprintln!("cordon: `{}` already holds this snapshot; nothing changed", p.display()),
        Saved::Replaced { current, previous: kept } => {
            let d = previous.map(|old| store::diff(&old, &snapshot)).unwrap_or_default();
            eprintln!(
                "cordon: saved `{}`; the previous snapshot is kept as `{}` ({} added, {} removed, {} changed since)",
                current.display(),
                kept.display(),
                d.added.len(),
                d.removed.len(),
                d.changed.len()
            );
        }
    }
    Ok(())
}

/// The lists `update` knows where to download: the defaults, with
/// `sources.yaml` of the lists directory over them when there is one.
fn list_sources(store: &Store) -> Result<Vec<ListSource>, u8> {
    let path = store.dir.join(update::SOURCES_FILE);
    if !path.exists() {
        return Ok(update::defaults());
    }
    let src = cordon::unstable::config::read_source(&path).map_err(|e| fail(&e))?;
    cordon::unstable::config::load_list_sources(&src).map_err(|e| fail(&e))
}

/// The sources of the lists named, or of every enabled list when none is.
fn chosen(sources: Vec<ListSource>, names: &[String], dir: &Path) -> Result<Vec<ListSource>, u8> {
    if names.is_empty() {
        return Ok(sources.into_iter().filter(|s| s.enabled).collect());
    }
    let mut out: Vec<ListSource> = Vec::new();
    for n in names {
        match sources.iter().find(|s| &s.name == n) {
            Some(s) if !out.contains(s) => out.push(s.clone()),
            Some(_) => {}
            None => {
                eprintln!("cordon: error: no source for the list `{n}`");
                let known: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                match cordon::unstable::suggest::did_you_mean(n, known.iter().copied()) {
                    Some(s) => eprintln!("  help: did you mean `{s}`?"),
                    None => eprintln!(
                        "  help: lists with a source: {}; give `{n}` a `format` and `url` in `{}`",
                        known.join(", "),
                        dir.join(update::SOURCES_FILE).display()
                    ),
                }
                return Err(EXIT_ERROR);
            }
        }
    }
    Ok(out)
}

/// What `update` did with one list.
struct Updated {
    /// The list.
    name: String,
    /// `new`, `updated`, `unchanged` (with `dry_run`: what saving would do), or `failed`.
    status: &'static str,
    /// The files downloaded.
    files: Vec<FetchedFile>,
    /// The snapshot downloaded and the current one it is compared with.
    snapshot: Option<Snapshot>,
    previous: Option<Snapshot>,
    /// Where the replaced snapshot is kept.
    kept: Option<PathBuf>,
    /// What changed since the current snapshot.
    diff: Option<Diff>,
    /// Why it failed.
    error: Option<String>,
}

fn run_update(a: UpdateArgs) -> Result<(), u8> {
    let store = store_of(&a.dir)?;
    let sources = chosen(list_sources(&store)?, &a.names, &store.dir)?;
    if sources.is_empty() {
        eprintln!("cordon: error: no list is enabled in `{}`", store.dir.join(update::SOURCES_FILE).display());
        eprintln!("  help: name the lists to update, or enable one (`enabled: true`)");
        return Err(EXIT_ERROR);
    }
    let limits = Limits {
        timeout: std::time::Duration::from_secs(a.timeout),
        max_bytes: a.max_size.saturating_mul(1024 * 1024),
        ..Limits::default()
    };
    let mut all = Vec::new();
    for source in &sources {
        let u = update_one(&store, source, &a, &limits);
        if a.format == OutFormat::Text && u.error.is_none() {
            for line in update_text(&u, a.dry_run) {
                outln!("{line}");
            }
        }
        all.push(u);
    }
    let failed = all.iter().filter(|u| u.error.is_some()).count();
    if a.format == OutFormat::Json {
        let lists: Vec<serde_json::Value> = all.iter().map(|u| update_json(u, a.dry_run)).collect();
        outln!("{}", serde_json::json!({"dry_run": a.dry_run, "lists": lists, "failed": failed}));
    }
    if failed > 0 {
        eprintln!(
            "cordon: {failed} of {} list{} not updated; {} current snapshot{} kept",
            sources.len(),
            if sources.len() == 1 { "" } else { "s" },
            if failed == 1 { "its" } else { "their" },
            if failed == 1 { " is" } else { "s are" }
        );
        return Err(EXIT_ERROR);
    }
    Ok(())
}

/// Downloads, verifies, compares and (unless a dry run) saves one list.
fn update_one(store: &Store, source: &ListSource, a: &UpdateArgs, limits: &Limits) -> Updated {
    let mut u = Updated {
        name: source.name.clone(),
        status: "failed",
        files: Vec::new(),
        snapshot: None,
        previous: None,
        kept: None,
        diff: None,
        error: None,
    };
    let name = &source.name;
    let fetched = update::fetch(source, limits, &mut |f| eprintln!("cordon: {name}: downloaded {}", fetched_file(f)));
    let fetched = match fetched {
        Ok(f) => f,
        Err(e) => {
            diag::print(&e);
            u.error = Some(e.to_string());
            return u;
        }
    };
    u.files = fetched.files;
    let snapshot = fetched.snapshot;
    let previous = store.load(name).ok();
    if let Some(why) = a.guard.refusal(&snapshot, previous.as_ref()) {
        let url = source.urls.first().map(String::as_str).unwrap_or_default();
        let more = match source.urls.len() {
            0 | 1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        let kept = if previous.is_some() { "the current snapshot is kept" } else { "nothing is saved" };
        let check = "check the list at its publisher: a file cut short or in a new layout reads as fewer entries";
        Guard::refuse(&format!("{name} from `{url}`{more}"), &why, kept, check);
        u.error = Some(format!("{name} from `{url}`{more} {why}"));
        return u;
    }
    u.diff = previous.as_ref().map(|p| store::diff(p, &snapshot));
    if a.dry_run {
        u.status = match &previous {
            None => "new",
            Some(p) if *p == snapshot => "unchanged",
            Some(_) => "updated",
        };
    } else {
        let saved = store.save(&snapshot);
        if saved.is_ok() {
            store_index(store, &snapshot.name);
        }
        match saved {
            Ok(Saved::New(_)) => u.status = "new",
            Ok(Saved::Unchanged(_)) => u.status = "unchanged",
            Ok(Saved::Replaced { previous: kept, .. }) => {
                u.status = "updated";
                u.kept = Some(kept);
            }
            Err(e) => {
                diag::print(&e);
                u.error = Some(e.to_string());
                return u;
            }
        }
    }
    u.snapshot = Some(snapshot);
    u.previous = previous;
    u
}

/// "URL (2,030,620 bytes)", with the place it was redirected to.
fn fetched_file(f: &FetchedFile) -> String {
    let via = if f.from == f.url { String::new() } else { format!(" via {}", f.from) };
    format!("{}{via} ({} bytes)", f.url, cordon::unstable::values::thousands(f.bytes))
}

/// How many entries of each kind of change `update` shows.
const UPDATE_EXAMPLES: usize = 5;

/// One list's summary: what was done, the snapshot, where from, what changed.
fn update_text(u: &Updated, dry_run: bool) -> Vec<String> {
    let mut out = Vec::new();
    let Some(s) = &u.snapshot else { return out };
    let done = match (u.status, dry_run) {
        ("new", false) => "saved, the first snapshot of this list",
        ("new", true) => "would be the first snapshot of this list (dry run: nothing saved)",
        ("updated", false) => "updated",
        ("updated", true) => "would be updated (dry run: nothing saved)",
        _ => "unchanged: the current snapshot is the same",
    };
    out.push(format!("{}: {done}", u.name));
    out.push(format!("  {}, {}", counts(s), stamp(s)));
    out.extend(u.files.iter().map(|f| format!("  from {}", fetched_file(f))));
    out.extend(s.notes.iter().map(|n| format!("  left out {n}")));
    if let (Some(d), Some(p), "new" | "updated") = (&u.diff, &u.previous, u.status) {
        out.push(format!("  since the snapshot {}: {}", stamp(p), diff_counts(d)));
        out.extend(diff_lines(d, UPDATE_EXAMPLES).into_iter().map(|l| format!("  {l}")));
    }
    if let Some(k) = &u.kept {
        let stem = k.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        out.push(format!(
            "  the previous snapshot is kept as `{}` (`cordon lists diff {stem} {}`)",
            k.display(),
            u.name
        ));
    }
    out
}

/// One list's summary as JSON.
fn update_json(u: &Updated, dry_run: bool) -> serde_json::Value {
    let mut m = u.diff.as_ref().map(diff_json).unwrap_or_default();
    m.insert("name".into(), u.name.clone().into());
    m.insert("status".into(), u.status.into());
    m.insert("dry_run".into(), dry_run.into());
    let files: Vec<serde_json::Value> = u
        .files
        .iter()
        .map(|f| serde_json::json!({"url": f.url, "from": f.from, "bytes": f.bytes, "content_type": f.content_type}))
        .collect();
    m.insert("files".into(), files.into());
    if let Some(s) = &u.snapshot {
        m.insert("entries".into(), s.entries.len().into());
        m.insert("published".into(), s.published.clone().into());
        m.insert("fingerprint".into(), s.fingerprint.clone().into());
        m.insert("notes".into(), s.notes.clone().into());
    }
    if let Some(p) = &u.previous {
        m.insert("previous".into(), snapshot_json(p));
    }
    if let Some(k) = &u.kept {
        m.insert("kept_as".into(), k.display().to_string().into());
    }
    if let Some(e) = &u.error {
        m.insert("error".into(), e.clone().into());
    }
    serde_json::Value::Object(m)
}

fn entry_text(e: &Entry, hash: &str) -> String {
    let mut s = format!("{} · {} · {}\n", e.reference, e.kind.name(), e.primary());
    for n in &e.names {
        let q = format!("{:?}", n.quality).to_lowercase();
        let script = n.script.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
        s.push_str(&format!("  name          {} ({q}{script})\n", n.text));
    }
    let mut line = |k: &str, v: &str| s.push_str(&format!("  {k:<13} {v}\n"));
    for d in &e.dates_of_birth {
        line("born", d);
    }
    for n in &e.nationalities {
        line("nationality", n);
    }
    for a in &e.addresses {
        let text = match (&a.text, &a.country) {
            (t, Some(c)) if !t.is_empty() => format!("{t}, {c}"),
            (_, Some(c)) => c.clone(),
            (t, None) => t.clone(),
        };
        line("address", &text);
    }
    for i in &e.imo {
        line("IMO", i);
    }
    if !e.programmes.is_empty() {
        line("programmes", &e.programmes.join(", "));
    }
    line("listed on", e.listed_on.as_deref().unwrap_or("unknown"));
    if let Some(r) = &e.remarks {
        line("remarks", r);
    }
    line("entry hash", hash);
    s
}

fn show(a: ShowArgs) -> Result<(), u8> {
    let store = store_of(&a.dir)?;
    let snap = store.resolve(&a.name).map_err(|e| fail(&e))?;
    if let Some(r) = &a.entry {
        let Some(e) = snap.entries.iter().find(|e| &e.reference == r) else {
            eprintln!("cordon: error: no entry `{r}` in `{}`", a.name);
            let near: Vec<&str> = snap.entries.iter().map(|e| e.reference.as_str()).collect();
            if let Some(s) = cordon::unstable::suggest::did_you_mean(r, near) {
                eprintln!("  help: did you mean `{s}`?");
            }
            return Err(EXIT_ERROR);
        };
        let hash = store::entry_hash(e);
        match a.format {
            OutFormat::Text => out!("{}", entry_text(e, &hash)),
            OutFormat::Json => {
                let mut v = serde_json::to_value(e).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert("entry_hash".into(), hash.into());
                }
                outln!("{v}");
            }
        }
        return Ok(());
    }
    let programmes = {
        let mut m: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for e in &snap.entries {
            for p in &e.programmes {
                *m.entry(p.as_str()).or_default() += 1;
            }
        }
        let mut v: Vec<(&str, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    };
    let aliases: usize = snap.entries.iter().map(|e| e.names.len().saturating_sub(1)).sum();
    let imo: usize = snap.entries.iter().filter(|e| !e.imo.is_empty()).count();
    match a.format {
        OutFormat::Json => {
            let v = serde_json::json!({
                "name": snap.name,
                "format": snap.format,
                "published": snap.published,
                "fingerprint": snap.fingerprint,
                "sources": snap.sources,
                "notes": snap.notes,
                "entries": snap.entries.len(),
                "aliases": aliases,
                "with_imo": imo,
                "programmes": programmes.iter().map(|(p, n)| serde_json::json!({"programme": p, "entries": n})).collect::<Vec<_>>(),
            });
            outln!("{v}");
        }
        OutFormat::Text => {
            outln!("{} · {} · published {}", snap.name, snap.format, snap.published.as_deref().unwrap_or("unknown"));
            outln!("  sha256      {}", snap.fingerprint);
            for s in &snap.sources {
                outln!("  source      {s}");
            }
            for n in &snap.notes {
                outln!("  left out    {n}");
            }
            outln!("  {}", counts(&snap));
            outln!("  {} aliases; {} entries with an IMO number", thousands(aliases), thousands(imo));
            let top: Vec<String> = programmes.iter().take(12).map(|(p, n)| format!("{p} {n}")).collect();
            if !top.is_empty() {
                outln!("  programmes  {}", top.join(", "));
            }
            let earlier = store.history(&snap.name);
            if !earlier.is_empty() {
                let names: Vec<String> =
                    earlier.iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect();
                outln!("  earlier     {}", names.join(", "));
            }
        }
    }
    Ok(())
}

/// A snapshot from a name, a snapshot file, or a source file imported on the fly.
fn any_snapshot(store: &Store, what: &str) -> Result<Snapshot, u8> {
    let path = Path::new(what);
    let is_snapshot_file = what.ends_with(".json") && path.is_file() && read_snapshot(path).is_ok();
    if path.exists() && !is_snapshot_file {
        let name = path.file_stem().map_or("SOURCE".into(), |s| s.to_string_lossy().into_owned());
        return cordon::unstable::sources::import_list(&[path.to_path_buf()], None, &name).map_err(|e| fail(&e));
    }
    store.resolve(what).map_err(|e| fail(&e))
}

fn diff(a: DiffArgs) -> Result<(), u8> {
    let store = store_of(&a.dir)?;
    let old = any_snapshot(&store, &a.old)?;
    let new = any_snapshot(&store, &a.new)?;
    let d = store::diff(&old, &new);
    match a.format {
        OutFormat::Json => {
            let mut v = diff_json(&d);
            v.insert("old".into(), snapshot_json(&old));
            v.insert("new".into(), snapshot_json(&new));
            outln!("{}", serde_json::Value::Object(v));
        }
        OutFormat::Text => {
            outln!("old: {} {}", old.name, stamp(&old));
            outln!("new: {} {}", new.name, stamp(&new));
            outln!("{}", diff_counts(&d));
            for line in diff_lines(&d, usize::MAX) {
                outln!("{line}");
            }
        }
    }
    Ok(())
}

/// "published 2026-02-27 (sha256 66b392a4090868d2)".
fn stamp(s: &Snapshot) -> String {
    format!(
        "published {} (sha256 {})",
        s.published.as_deref().unwrap_or("unknown"),
        s.fingerprint.get(..16).unwrap_or(&s.fingerprint)
    )
}

/// A snapshot's name, size, date and fingerprint, as JSON.
fn snapshot_json(s: &Snapshot) -> serde_json::Value {
    serde_json::json!({"name": s.name, "entries": s.entries.len(), "published": s.published, "fingerprint": s.fingerprint})
}

/// "111 added, 201 removed, 635 changed, 257 unchanged".
fn diff_counts(d: &Diff) -> String {
    format!(
        "{} added, {} removed, {} changed, {} unchanged",
        thousands(d.added.len()),
        thousands(d.removed.len()),
        thousands(d.changed.len()),
        thousands(d.unchanged)
    )
}

/// A diff's entries, one line each (`+ REF NAME`, `- …`, `~ …` with what
/// changed below), at most `limit` of each kind and then how many more.
fn diff_lines(d: &Diff, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let more = |out: &mut Vec<String>, n: usize, what: &str| {
        if n > limit {
            out.push(format!("  … and {} more {what}", thousands(n - limit)));
        }
    };
    out.extend(d.added.iter().take(limit).map(|(r, n)| format!("+ {r:<12} {n}")));
    more(&mut out, d.added.len(), "added");
    out.extend(d.removed.iter().take(limit).map(|(r, n)| format!("- {r:<12} {n}")));
    more(&mut out, d.removed.len(), "removed");
    for c in d.changed.iter().take(limit) {
        out.push(format!("~ {:<12} {}", c.reference, c.name));
        out.extend(c.changes.iter().map(|ch| format!("    {ch}")));
    }
    more(&mut out, d.changed.len(), "changed");
    out
}

/// A diff as JSON: `added` and `removed` (`ref`, `name`), `changed`, `unchanged`.
fn diff_json(d: &Diff) -> serde_json::Map<String, serde_json::Value> {
    let pairs =
        |v: &[(String, String)]| v.iter().map(|(r, n)| serde_json::json!({"ref": r, "name": n})).collect::<Vec<_>>();
    let mut m = serde_json::Map::new();
    m.insert("added".into(), pairs(&d.added).into());
    m.insert("removed".into(), pairs(&d.removed).into());
    m.insert("changed".into(), serde_json::to_value(&d.changed).unwrap_or_default());
    m.insert("unchanged".into(), d.unchanged.into());
    m
}

/// Builds and stores the screening index of a list just saved, so that the
/// first screen does not build it (a cache: if it cannot be written, the
/// first screen builds it).
fn store_index(store: &Store, name: &str) {
    let _ = cordon::unstable::screen::persist::load(store, name);
}
