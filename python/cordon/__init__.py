"""Cordon for Python: check trade and payment records against sanctions and
export-control rules, over Apache Arrow.

    import cordon, pyarrow as pa
    engine = cordon.Engine.load("rules")
    out = engine.check_arrow(pa.RecordBatch.from_pylist([{"id": "TX-1", ...}]))

Every row is read exactly as ``cordon check`` reads the same row of a CSV
file, so the decisions are the command line's. ``cordon.spark`` runs the
engine inside Apache Spark (``check_dataframe``).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator, Mapping, Optional

import pyarrow as pa

from . import _cordon
from ._cordon import CordonError, InputError, RulesError

__all__ = ["Engine", "CordonError", "RulesError", "InputError", "OUTPUT_SCHEMA", "__version__"]
__version__ = _cordon.__version__

#: The schema of what ``Engine.check_arrow`` returns, one row per input row.
OUTPUT_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64(), nullable=False),
        pa.field("id", pa.string()),
        pa.field("decision", pa.string(), nullable=False),
        pa.field("finding_count", pa.uint32(), nullable=False),
        pa.field("rules_hit", pa.list_(pa.string()), nullable=False),
        pa.field("findings", pa.string(), nullable=False),
        pa.field("errors", pa.string()),
        pa.field("rules_fingerprint", pa.string(), nullable=False),
    ]
)


class Engine:
    """A rule pack loaded, checked and compiled once.

    Safe to share between threads; checking releases the GIL and runs on
    the cores of the engine's own pool (``threads`` caps them).
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_cordon.Engine") -> None:
        self._native = native

    @classmethod
    def load(
        cls,
        rules_dir: str,
        config: Optional[str] = None,
        lists: Optional[str] = None,
        reviewed: Optional[str] = None,
        licences: Optional[str] = None,
    ) -> "Engine":
        """Load the rule pack in ``rules_dir`` (a folder or one ``.cordon`` file).

        ``config`` is an input config (your column names, date layout);
        ``lists`` a folder of list snapshots used instead of the pack's;
        ``reviewed`` a reviewed-matches file; ``licences`` a licence register.
        Raises ``RulesError`` with every problem found.
        """
        return cls(_cordon.Engine.load(str(rules_dir), config, lists, reviewed, licences))

    @classmethod
    def from_sources(cls, files: Mapping[str, str], config: Optional[str] = None) -> "Engine":
        """Build an engine from rule files given as text, by name."""
        return cls(_cordon.Engine.from_sources(dict(files), config))

    @property
    def fingerprint(self) -> str:
        """SHA-256 of every rule file, data file, list and schema of the rule set."""
        return self._native.fingerprint

    def rules(self) -> list[dict]:
        """The rules (``id``, ``regime``, ``title``, ``citations``, ``severity``)."""
        return self._native.rules()

    def lists(self) -> list[dict]:
        """The sanctions lists the rules screen against (``name``, ``fingerprint``, ``entries``)."""
        return self._native.lists()

    def warnings(self) -> list[str]:
        """Lint warnings about the rules."""
        return self._native.warnings()

    def screen(self, names: Iterable[str], threshold: Optional[str] = None, limit: int = 10) -> list[list[dict]]:
        """Screen names against the pack's lists: one list of matches per name, best first.

        ``threshold`` is a decimal score as text (``"0.88"`` by default).
        """
        if isinstance(names, str):
            raise TypeError("screen takes a list of names; wrap one name in a list")
        return self._native.screen(list(names), None if threshold is None else str(threshold), limit)

    def check_arrow(
        self, batch: pa.RecordBatch, threads: Optional[int] = None, name: str = "batch", first_row: int = 0
    ) -> pa.RecordBatch:
        """Check a record batch: one output row per input row, in order (``OUTPUT_SCHEMA``).

        Columns are mapped onto the schema as a CSV header is; strings,
        large strings, string views, dictionaries, dates, timestamps (read
        as their date), decimals (exact), integers and nulls (empty cells)
        are read. Invalid rows are reported (``decision == "invalid"`` and
        ``errors``), never dropped.
        """
        if isinstance(batch, pa.Table):
            raise TypeError("check_arrow takes a RecordBatch; use check_table for a Table")
        return self._native.check_arrow(batch, threads, name, first_row)

    def check_table(self, table: pa.Table, threads: Optional[int] = None, name: str = "table") -> pa.Table:
        """Check every batch of a ``pyarrow.Table``; rows numbered across batches."""
        out, first = [], 0
        for b in table.to_batches():
            out.append(self.check_arrow(b, threads=threads, name=name, first_row=first))
            first += b.num_rows
        return pa.Table.from_batches(out, schema=OUTPUT_SCHEMA)

    def check_batches(
        self, batches: Iterable[pa.RecordBatch], threads: Optional[int] = None, name: str = "batches"
    ) -> Iterator[pa.RecordBatch]:
        """Check a stream of batches lazily (as Spark's ``mapInArrow`` gives them)."""
        first = 0
        for b in batches:
            yield self.check_arrow(b, threads=threads, name=name, first_row=first)
            first += b.num_rows

    def check_records(self, records: Iterable[Mapping[str, Any]], threads: Optional[int] = None) -> list[dict]:
        """Check records given as dicts (keys are column names); one result dict per record.

        Values are read as text cells: pass dates, amounts and codes as
        strings, or as ``datetime.date`` and ``decimal.Decimal``.
        """
        rows = list(records)
        if not rows:
            return []
        columns: dict[str, None] = {}
        for r in rows:
            for k in r:
                columns.setdefault(k, None)
        # Every value as text, as a CSV cell would hold it: no type is
        # guessed from the first rows, and a missing key is an empty cell.
        data = {c: [None if r.get(c) is None else _text(r.get(c)) for r in rows] for c in columns}
        batch = pa.RecordBatch.from_pydict(data, schema=pa.schema([(c, pa.string()) for c in columns]))
        return _rows_of(self.check_arrow(batch, threads=threads, name="records"))

    def check_pandas(self, df: "Any", threads: Optional[int] = None) -> "Any":
        """Check a pandas DataFrame; returns a DataFrame of results, one row per input row."""
        table = pa.Table.from_pandas(df, preserve_index=False)
        return self.check_table(table, threads=threads, name="dataframe").to_pandas()

    def check_polars(self, df: "Any", threads: Optional[int] = None) -> "Any":
        """Check a polars DataFrame; returns a polars DataFrame of results."""
        import polars as pl

        return pl.from_arrow(self.check_table(df.to_arrow(), threads=threads, name="dataframe"))

    def check_json(self, record: Mapping[str, Any]) -> dict:
        """Check one record as an API call gives it (a JSON object); the full result."""
        return json.loads(self._native.check_json(json.dumps(record, default=_text)))

    def __repr__(self) -> str:
        return repr(self._native)

    def __reduce__(self):
        raise TypeError(
            "a cordon.Engine is not pickled: load it once per process "
            "(cordon.spark does so on each executor)"
        )


def _text(v: Any) -> str:
    """A Python value as a CSV cell holds it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        # repr gives the shortest text that reads back the same float;
        # amounts are better passed as decimal.Decimal or strings.
        return repr(v)
    return str(v)


def _rows_of(batch: pa.RecordBatch) -> list[dict]:
    out = []
    for r in batch.to_pylist():
        r["findings"] = json.loads(r["findings"])
        r["errors"] = None if r["errors"] is None else json.loads(r["errors"])
        out.append(r)
    return out
