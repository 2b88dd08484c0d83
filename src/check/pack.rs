//! A parsed rule pack, ready to check: its rule files with their syntax
//! trees and imports, its schema, and the folders its data files and list
//! snapshots are read from. [`crate::load`] makes one from [`crate::Sources`];
//! the fuzz targets make one in memory.

use std::sync::Arc;

use crate::schema::Schema;
use crate::source::SourceFile;
use crate::syntax::ast;

/// A parsed rule pack, ready to check.
#[derive(Debug)]
pub struct Pack {
    /// The record schema the rules are written for.
    pub schema: Arc<Schema>,
    /// The schema files the record schema was combined from (shipped
    /// schemas, compiled in, are not among them), each with its path as
    /// the manifest writes it, for fingerprints.
    pub schema_sources: Vec<(String, Arc<SourceFile>)>,
    /// The folder data files of file-backed sets are under, by name (`""`
    /// is the pack root).
    pub data_root: String,
    /// The folder list snapshots are in, by name.
    pub lists_root: String,
    /// Folders outside the pack that its manifest declares (data, lists,
    /// schema, `roots:`), by name: files there may be read.
    pub roots: Vec<String>,
    /// Rule files in name order.
    pub files: Vec<PackFile>,
    /// The folders of the packs the manifest includes (`packs:`), by name:
    /// each is a scope of its own for the names of sets, tables and
    /// constants, so that packs written apart combine without clashes.
    pub scopes: Vec<String>,
    /// What the manifest says of the pack as criteria (version, owner, …).
    pub info: crate::config::PackInfo,
    /// The manifest itself (`cordon.yaml`), when the pack has one: part of
    /// the rule set's fingerprint, since it names the pack's version and approval.
    pub manifest: Option<Arc<SourceFile>>,
    /// The labelled screening benchmark the manifest names, as read.
    pub benchmark: Option<Arc<crate::screen::benchmark::Benchmark>>,
}

impl Pack {
    /// The scope a rule file's names live in: the included pack it belongs
    /// to, or the pack itself (`""`).
    pub fn scope_of(&self, file: usize) -> &str {
        let rel = self.files.get(file).map_or("", |f| f.rel.as_str());
        self.scopes
            .iter()
            .filter(|s| rel.strip_prefix(s.as_str()).is_some_and(|r| r.starts_with('/')))
            .max_by_key(|s| s.len())
            .map_or("", String::as_str)
    }
}

/// One rule file of a pack.
#[derive(Debug)]
pub struct PackFile {
    /// The text; its `path` is the pack-relative name.
    pub source: Arc<SourceFile>,
    /// The pack-relative name (`un/dprk/coal.cordon`).
    pub rel: String,
    /// The syntax tree.
    pub ast: ast::RuleFile,
    /// Indices of the files this one imports.
    pub imports: Vec<usize>,
}

impl Pack {
    /// An empty pack with the standard schema (for tests and fuzz targets).
    pub fn empty(schema: Arc<Schema>) -> Pack {
        Pack {
            schema,
            schema_sources: Vec::new(),
            data_root: String::new(),
            lists_root: "lists".into(),
            roots: Vec::new(),
            files: Vec::new(),
            scopes: Vec::new(),
            info: crate::config::PackInfo::default(),
            manifest: None,
            benchmark: None,
        }
    }
}
