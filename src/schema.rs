//! The record schema: which fields a record has, their types, which are
//! required, and which field is the transaction date. Rules are checked
//! against it; readers parse records by it.

use std::collections::HashMap;
use std::fmt;

/// Index of a field in a [`Schema`] (and in every record read by it).
pub type FieldId = usize;

/// The most fields a schema may declare (records track missing fields in a
/// 64-bit mask).
pub const MAX_FIELDS: usize = 64;

pub use crate::values::Scalar;

/// A field's type: one value, or a list of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// One value.
    Scalar(Scalar),
    /// A list of values (`route`).
    List(Scalar),
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Scalar(s) => f.write_str(s.name()),
            FieldType::List(s) => write!(f, "list<{}>", s.name()),
        }
    }
}

impl FieldType {
    /// Parses `decimal`, `list<country>` and the like (any kind a field may have).
    pub fn from_name(name: &str) -> Option<FieldType> {
        let name = name.trim();
        let kind = |n: &str| Scalar::from_name(n.trim()).filter(|s| s.kind().is_field_kind());
        if let Some(inner) = name.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
            return kind(inner).map(FieldType::List);
        }
        kind(name).map(FieldType::Scalar)
    }
}

/// What a field means to the report, the lints and the explanations,
/// whatever the schema calls it: an export-control schema can name its
/// exporter `exporter` and its classification `eccn` and still have them
/// shown where a trade schema shows its seller and HS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The party that sells or exports.
    Seller,
    /// The party that buys or receives.
    Buyer,
    /// Where the goods come from.
    Origin,
    /// Where the goods go.
    Destination,
    /// Countries on the way.
    Route,
    /// The vessel's name.
    VesselName,
    /// The vessel's IMO number.
    VesselImo,
    /// The vessel's flag.
    VesselFlag,
    /// The goods' classification code (HS code, ECCN).
    Goods,
    /// The goods in words.
    Description,
    /// How much.
    Quantity,
    /// Its unit of measure.
    Unit,
    /// What it is worth.
    Value,
    /// The value's currency.
    Currency,
    /// A licence or authorisation reference.
    Licence,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 15] = [
        Role::Seller,
        Role::Buyer,
        Role::Origin,
        Role::Destination,
        Role::Route,
        Role::VesselName,
        Role::VesselImo,
        Role::VesselFlag,
        Role::Goods,
        Role::Description,
        Role::Quantity,
        Role::Unit,
        Role::Value,
        Role::Currency,
        Role::Licence,
    ];

    /// The name in schemas (`role: goods`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::Buyer => "buyer",
            Role::Origin => "origin",
            Role::Destination => "destination",
            Role::Route => "route",
            Role::VesselName => "vessel_name",
            Role::VesselImo => "vessel_imo",
            Role::VesselFlag => "vessel_flag",
            Role::Goods => "goods",
            Role::Description => "description",
            Role::Quantity => "quantity",
            Role::Unit => "unit",
            Role::Value => "value",
            Role::Currency => "currency",
            Role::Licence => "licence",
        }
    }

    /// The role of this name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Extra shape checks on string fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Seven digits (an IMO ship number); `IMO 1234567` is accepted and normalised.
    Imo,
    /// Three uppercase letters (ISO 4217).
    Currency,
    /// A unit of measure: spellings the unit table knows are written in its
    /// canonical form (`barrels` → `bbl`); others are kept as written (a
    /// conversion that needs them is undecided).
    Unit,
}

/// What a file without a column for a field means for the rules that need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MissingColumn {
    /// The rules that need the field are undecided for every record of the
    /// file: each record gets an `indeterminate` review naming the column.
    #[default]
    Review,
    /// The rules are skipped for the file's records; every output says so.
    Skip,
}

impl MissingColumn {
    /// `review` or `skip`.
    pub fn name(self) -> &'static str {
        match self {
            MissingColumn::Review => "review",
            MissingColumn::Skip => "skip",
        }
    }

    /// Parses `review` or `skip`.
    pub fn from_name(s: &str) -> Option<MissingColumn> {
        match s {
            "review" => Some(MissingColumn::Review),
            "skip" => Some(MissingColumn::Skip),
            _ => None,
        }
    }
}

/// Index of a group in [`Schema::groups`].
pub type GroupId = usize;

/// Fields read together, where any one column suffices: the party roles of a
/// transaction, say. A rule ranges over a group's values with
/// `any(p in parties: …)`; a file is undecided for it only when it has no
/// column for any member.
#[derive(Debug, Clone)]
pub struct GroupDef {
    /// Group name, as rules refer to it (`parties`).
    pub name: String,
    /// Member fields, in declaration order; all of one scalar type.
    pub members: Vec<FieldId>,
    /// The members' scalar type.
    pub scalar: Scalar,
    /// What a file with no column for any member means.
    pub on_missing_column: MissingColumn,
    /// What the group means.
    pub description: String,
}

/// One field of a schema.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Field name, as rules refer to it.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether every record must have it.
    pub required: bool,
    /// Rejects negative numbers.
    pub non_negative: bool,
    /// Shape check for strings.
    pub pattern: Option<Pattern>,
    /// Separator between list items in CSV.
    pub separator: char,
    /// What the field means.
    pub description: String,
    /// What a file without a column for this field means.
    pub on_missing_column: MissingColumn,
    /// For a quantity: the field holding its unit of measure.
    pub unit_field: Option<FieldId>,
    /// What the field means to reports and lints.
    pub role: Option<Role>,
    /// The words a text field may hold (`flow`: `import`, `export`, …),
    /// matched ignoring case and read as written here; another value is
    /// unreadable (a rule that needs it is undecided). Empty: any text.
    pub values: Vec<String>,
}

impl FieldDef {
    /// The field's scalar type (the element type of a list field).
    pub fn scalar(&self) -> Scalar {
        match self.ty {
            FieldType::Scalar(s) | FieldType::List(s) => s,
        }
    }

    /// Whether a value read into it is text (a single text value, patterned
    /// or not), as rules compare and group it.
    pub fn yields_text(&self) -> bool {
        matches!(self.ty, FieldType::Scalar(s) if s == Scalar::STRING)
    }
}

/// A record schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Schema name (`trade-transaction`).
    pub name: String,
    /// Fields in declaration order; a record's values follow this order.
    pub fields: Vec<FieldDef>,
    /// The field that identifies a record.
    pub key: FieldId,
    /// The transaction-date field.
    pub date: FieldId,
    /// Groups of fields read together.
    pub groups: Vec<GroupDef>,
    by_name: HashMap<String, FieldId>,
}

impl Schema {
    /// Builds a schema; the caller has validated names and types.
    pub fn new(name: String, fields: Vec<FieldDef>, key: FieldId, date: FieldId, groups: Vec<GroupDef>) -> Schema {
        let by_name = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
        Schema { name, fields, key, date, groups, by_name }
    }

    /// Looks a group up by name.
    pub fn group(&self, name: &str) -> Option<GroupId> {
        self.groups.iter().position(|g| g.name == name)
    }

    /// The groups a field belongs to.
    pub fn groups_of(&self, f: FieldId) -> impl Iterator<Item = &GroupDef> {
        self.groups.iter().filter(move |g| g.members.contains(&f))
    }

    /// The field with a role, if the schema has one.
    pub fn role(&self, role: Role) -> Option<FieldId> {
        self.fields.iter().position(|f| f.role == Some(role))
    }

    /// Looks a field up by name.
    pub fn field(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }

    /// All field names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}
