//! Sanctions lists: importers for the real formats (UN Security Council
//! Consolidated List XML, OFAC SDN CSV and XML, OpenSanctions FollowTheMoney
//! JSON), one normalised model, and snapshots kept on disk with their
//! fingerprint and publication date.

pub mod import;
pub mod model;
pub mod store;

pub use model::{Address, Entry, Kind, Name, Quality, Snapshot};
