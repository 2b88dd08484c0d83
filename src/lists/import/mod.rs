//! Importers: each reads one source format into a [`Snapshot`](super::Snapshot).
