//! The normalised sanctions-list model every importer produces: one
//! snapshot of one list, its entries with their names and aliases, and the
//! facts screening uses (dates of birth, nationalities, addresses, IMO
//! numbers, programmes, listing dates).

use serde::{Deserialize, Serialize};

/// One imported version of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The list's name in Cordon (`UN_SC`, `OFAC_SDN`).
    pub name: String,
    /// The format it was imported from (`un-xml`, `ofac-csv`, `ofac-xml`, `ftm`).
    pub format: String,
    /// The source file(s), as given to the importer.
    pub sources: Vec<String>,
    /// The publication date the source states, if any (YYYY-MM-DD).
    pub published: Option<String>,
    /// SHA-256 over the source files' bytes: what this snapshot was made from.
    pub fingerprint: String,
    /// Entries, sorted by reference.
    pub entries: Vec<Entry>,
    /// What the import left out of the sources and why (companion rows whose
    /// entry the main file does not hold, …): never invented into entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What a list entry designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A person.
    Individual,
    /// A company, bank, organisation, government body.
    Entity,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

impl Kind {
    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Individual => "individual",
            Kind::Entity => "entity",
            Kind::Vessel => "vessel",
            Kind::Aircraft => "aircraft",
        }
    }

    /// Parses a kind's name.
    pub fn from_name(s: &str) -> Option<Kind> {
        Some(match s {
            "individual" => Kind::Individual,
            "entity" => Kind::Entity,
            "vessel" => Kind::Vessel,
            "aircraft" => Kind::Aircraft,
            _ => return None,
        })
    }
}

/// How much a name can be trusted to identify the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// The entry's main name.
    Primary,
    /// An alias the list gives as reliable (UN "Good", "a.k.a.", OFAC strong).
    Strong,
    /// A weak or low-quality alias (UN "Low", OFAC weak): never enough alone.
    Weak,
}

/// A name or alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The name as the list writes it.
    pub text: String,
    /// Its quality.
    pub quality: Quality,
    /// ISO 15924 code of the script when not Latin (`Cyrl`, `Hang`, `Hani`,
    /// `Jpan`, `Arab`, `Thai` …), as [`script_of`](super::import::script_of) tells it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

/// An address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The address as written (street, city, region), may be empty.
    pub text: String,
    /// The country as the list names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One list entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The list's reference (`KPe.001`, OFAC `ent_num`, an OpenSanctions id).
    pub reference: String,
    /// What it designates.
    pub kind: Kind,
    /// Primary name first, then aliases.
    pub names: Vec<Name>,
    /// Dates of birth as written (YYYY-MM-DD, YYYY, or a range).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates_of_birth: Vec<String>,
    /// Nationalities as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// Addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// IMO numbers (vessels; seven digits).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imo: Vec<String>,
    /// Programmes or regimes (`DPRK`, `DPRK3`, `SDGT`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programmes: Vec<String>,
    /// The date the entry was listed (YYYY-MM-DD), if the list says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    /// Free-text remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

impl Entry {
    /// The entry's primary name.
    pub fn primary(&self) -> &str {
        self.names.first().map_or("", |n| n.text.as_str())
    }
}
