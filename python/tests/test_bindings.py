"""The Python bindings give the decisions of `cordon check` on the same rows:
on the shipped seeds, on the bad-input catalogue, over every Arrow type
they read; invalid rows are reported, never dropped; errors carry their
diagnostics."""

import csv
import datetime
import decimal
import json
import threading
from pathlib import Path

import pyarrow as pa
import pytest

import cordon
from conftest import ROOT, cli_results


def read_rows(path: Path, delimiter: str = ","):
    """A CSV file's header and its rows of the header's width, each with
    the line it starts on (as the CLI numbers them)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader)
        rows, start = [], reader.line_num + 1
        for row in reader:
            if len(row) == len(header):
                rows.append((start, row))
            start = reader.line_num + 1
    return header, rows


def batch_of(header, rows, type_=pa.string()):
    return pa.RecordBatch.from_arrays(
        [pa.array([r[i] for _, r in rows], type=type_) for i in range(len(header))], names=header
    )


def compare_with_cli(engine, rules, path, config=None):
    """Checks a CSV file's rows through Arrow and compares each decision
    with the CLI's for the same line; a file the bindings refuse as a whole
    (a required column missing) the CLI refuses too."""
    header, rows = read_rows(path)
    extra = ("--config", str(config)) if config else ()
    code, cli_rows = cli_results(rules, path, *extra)
    try:
        out = engine.check_arrow(batch_of(header, rows)).to_pylist()
    except cordon.InputError:
        assert code == 2 and not cli_rows, f"{path.name}: the CLI read it"
        return []
    cli = {r["line"]: r for r in cli_rows}
    assert len(out) == len(rows), "one output row per input row"
    compared = 0
    for (line, _), got in zip(rows, out):
        want = cli.get(line)
        if want is None:
            # A row the CLI never reached: after an unclosed quote the CLI
            # stops (exit 2), where Python's reader runs on.
            assert code == 2, (path.name, line)
            continue
        compared += 1
        assert got["decision"] == want["decision"], (path.name, line, got, want)
        if got["decision"] != "invalid":
            assert got["id"] == want["id"] and got["finding_count"] == len(got["rules_hit"])
    assert compared > 0 or not rows or code == 2
    return out


def test_same_decisions_as_the_cli_on_the_seeds(engine):
    out = compare_with_cli(engine, ROOT / "rules", ROOT / "seeds/transactions/trade-2016-2019.csv")
    decisions = {d: sum(1 for r in out if r["decision"] == d) for d in ("block", "review", "pass", "invalid")}
    assert decisions["block"] > 0 and decisions["review"] > 0 and decisions["invalid"] > 0
    assert {r["rules_fingerprint"] for r in out} == {engine.fingerprint}


@pytest.mark.parametrize(
    "pack,data",
    [
        ("rules/examples/multi-regime", "seeds/transactions/multi-regime.csv"),
        ("rules/examples/payments", "seeds/transactions/payments.csv"),
    ],
)
def test_same_decisions_as_the_cli_on_other_packs(pack, data):
    engine = cordon.Engine.load(str(ROOT / pack))
    compare_with_cli(engine, ROOT / pack, ROOT / data)


def catalogue_csvs():
    out = []
    for p in sorted((ROOT / "tests/data/bad-inputs").glob("*.csv")):
        try:
            header, rows = read_rows(p)
        except (UnicodeDecodeError, StopIteration, csv.Error):
            continue  # not text a DataFrame could hold
        if rows and all("\x00" not in h for h in header):
            out.append(p)
    return out


@pytest.mark.parametrize("path", catalogue_csvs(), ids=lambda p: p.name)
def test_same_decisions_as_the_cli_on_the_bad_input_catalogue(engine, path):
    compare_with_cli(engine, ROOT / "rules", path)


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate keys: a dict cannot hold them")
    return dict(pairs)


@pytest.mark.parametrize("path", sorted((ROOT / "tests/data/bad-inputs").glob("*.jsonl")), ids=lambda p: p.name)
def test_json_records_decide_as_json_lines_do(engine, path):
    _, cli = cli_results(ROOT / "rules", path)
    lines = path.read_bytes().split(b"\n")
    for r in cli:
        text = lines[r["line"] - 1].rstrip(b"\r")
        try:
            record = json.loads(text, object_pairs_hook=no_duplicate_keys)
        except (ValueError, RecursionError):
            continue  # not a JSON object a Python dict can hold
        if not isinstance(record, dict):
            continue
        got = engine.check_json(record)
        assert got["decision"] == r["decision"], (path.name, r["line"], got, r)


def test_invalid_rows_are_reported_not_dropped(engine):
    header, rows = read_rows(ROOT / "seeds/transactions/trade-2016-2019.csv")
    rows = [rows[0], rows[1], rows[2]]
    bad = list(rows[1][1])
    bad[header.index("date")] = "2019-02-30"
    rows[1] = (rows[1][0], bad)
    out = engine.check_arrow(batch_of(header, rows)).to_pylist()
    assert [r["row"] for r in out] == [0, 1, 2]
    assert out[1]["decision"] == "invalid" and out[1]["id"] == bad[0]
    errors = json.loads(out[1]["errors"])
    assert errors[0]["field"] == "date" and "2019-02-30" in json.dumps(errors)
    assert out[0]["errors"] is None and out[2]["decision"] != "invalid"


def typed_batch(header, rows):
    """The same rows with typed columns: dates as date32, amounts as
    decimals, codes as dictionaries, names as large strings, nulls for
    empty cells."""
    cols = []
    for i, name in enumerate(header):
        values = [r[i] for _, r in rows]
        if name in ("date", "contract_date"):
            arr = pa.array([datetime.date.fromisoformat(v) if v else None for v in values], pa.date32())
        elif name in ("value", "quantity"):
            arr = pa.array([decimal.Decimal(v) if v else None for v in values], pa.decimal128(38, 6))
        elif name in ("origin", "destination", "currency", "unit"):
            arr = pa.array([v or None for v in values]).dictionary_encode()
        elif name in ("seller", "buyer", "description"):
            arr = pa.array([v or None for v in values], pa.large_string())
        elif name == "vessel_name":
            arr = pa.array([v or None for v in values], pa.string_view())
        else:
            arr = pa.array([v or None for v in values], pa.string())
        cols.append(arr)
    return pa.RecordBatch.from_arrays(cols, names=header)


def test_arrow_types_give_the_decisions_of_their_text(engine):
    header, rows = read_rows(ROOT / "seeds/transactions/trade-2016-2019.csv")
    # Rows whose dates and amounts are plain values (the typed columns
    # cannot hold a malformed one, which the text column reports invalid).
    def plain(r):
        try:
            for n in ("date", "contract_date"):
                v = r[header.index(n)]
                v and datetime.date.fromisoformat(v)
            for n in ("value", "quantity"):
                v = r[header.index(n)]
                v and decimal.Decimal(v)
            return True
        except (ValueError, ArithmeticError):
            return False

    rows = [(line, r) for line, r in rows if plain(r)]
    as_text = engine.check_arrow(batch_of(header, rows)).to_pylist()
    typed = engine.check_arrow(typed_batch(header, rows)).to_pylist()
    assert len(typed) == len(rows) > 2000
    for a, b in zip(as_text, typed):
        assert (a["id"], a["decision"], a["rules_hit"]) == (b["id"], b["decision"], b["rules_hit"])


def test_a_timestamp_is_read_as_its_date(engine):
    header, rows = read_rows(ROOT / "seeds/transactions/trade-2016-2019.csv")
    rows = rows[:50]
    batch = batch_of(header, rows)
    i = header.index("date")
    stamps = pa.array(
        [datetime.datetime.fromisoformat(r[i] + "T13:45:00") for _, r in rows], pa.timestamp("us", tz="UTC")
    )
    with_stamps = batch.set_column(i, "date", stamps)
    a, b = engine.check_arrow(batch).to_pylist(), engine.check_arrow(with_stamps).to_pylist()
    assert [r["decision"] for r in a] == [r["decision"] for r in b]


def test_a_missing_required_column_raises_with_its_diagnostic(engine):
    header, rows = read_rows(ROOT / "seeds/transactions/trade-2016-2019.csv")
    keep = [i for i, h in enumerate(header) if h != "date"]
    batch = pa.RecordBatch.from_arrays(
        [pa.array([r[i] for _, r in rows[:3]]) for i in keep], names=[header[i] for i in keep]
    )
    with pytest.raises(cordon.InputError) as e:
        engine.check_arrow(batch)
    assert "`date`" in str(e.value)
    assert e.value.diagnostics and e.value.diagnostics[0]["severity"] == "error"


def test_a_broken_pack_raises_every_problem_with_file_and_line(tmp_path):
    (tmp_path / "bad.cordon").write_text(
        'regime R\nrule R-1 {\n  title: "t"\n  cite: "c"\n  severity: block\n  when: origin in { ZZZ }\n}\n'
    )
    with pytest.raises(cordon.RulesError) as e:
        cordon.Engine.load(str(tmp_path))
    d = e.value.diagnostics
    assert d and d[0]["file"].endswith("bad.cordon") and d[0]["line"] == 6, d
    assert "bad.cordon:6" in str(e.value)


def test_from_sources_and_check_records_pandas_polars_agree():
    engine = cordon.Engine.from_sources(
        {
            "r.cordon": 'regime R\nrule R-1 { title: "coal" cite: "S/RES/2371 (2017), para. 8" severity: block '
            "when: origin in { KP } and hs_code in { 2701 } }\n"
        }
    )
    base = {
        "date": "2024-03-01",
        "destination": "CN",
        "quantity": "5",
        "unit": "t",
        "value": "400",
        "currency": "USD",
        "seller": "A",
        "buyer": "B",
    }
    records = [
        dict(base, id="TX-1", origin="KP", hs_code="2701.12"),
        dict(base, id="TX-2", origin="CN", hs_code="2701.12"),
        dict(base, id="TX-3", origin="KP", hs_code="2701.12", date="not a date"),
        dict(base, id="TX-4", origin=None, hs_code="2701.12"),
    ]
    got = engine.check_records(records)
    # A null is an empty cell: a required field left empty makes the record
    # invalid, as an empty CSV cell does.
    assert [r["decision"] for r in got] == ["block", "pass", "invalid", "invalid"]
    assert got[3]["errors"][0]["field"] == "origin"
    assert got[0]["findings"][0]["rule"] == "R-1" and "S/RES/2371" in json.dumps(got[0]["findings"])
    import pandas as pd
    import polars as pl

    pdf = engine.check_pandas(pd.DataFrame(records))
    assert list(pdf["decision"]) == ["block", "pass", "invalid", "invalid"]
    pol = engine.check_polars(pl.DataFrame(records))
    assert pol["decision"].to_list() == ["block", "pass", "invalid", "invalid"]
    assert engine.rules()[0]["id"] == "R-1" and engine.rules()[0]["severity"] == "block"


def test_one_engine_shared_by_threads_gives_the_same_results(engine):
    header, rows = read_rows(ROOT / "seeds/transactions/trade-2016-2019.csv")
    batch = batch_of(header, rows[:600])
    want = engine.check_arrow(batch, threads=1).to_pylist()
    results, errors = [], []

    def work():
        try:
            results.append(engine.check_arrow(batch).to_pylist())
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(r == want for r in results)


def test_screen_and_lists(engine):
    lists = {l["name"]: l for l in engine.lists()}
    assert "UN_SC" in lists and lists["UN_SC"]["entries"] > 900
    hits = engine.screen(["KOREA MINING DEVELOPMENT TRADING CORPORATION", "Acme Widgets of Ohio"])
    assert hits[0] and hits[0][0]["list"] == "UN_SC" and float(hits[0][0]["score"]) >= 0.88
    assert hits[1] == []
    with pytest.raises(ValueError):
        engine.screen(["x"], threshold="2")
    with pytest.raises(TypeError):
        engine.screen("one name")


def test_the_engine_is_not_pickled(engine):
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(engine)


def test_an_input_config_maps_a_firms_columns_as_the_cli_does(root):
    config = root / "seeds/config/example-config.yaml"
    engine = cordon.Engine.load(str(root / "rules"), config=str(config))
    assert engine._native.config == str(config)
    path = root / "seeds/transactions/erp-export.csv"
    header, rows = read_rows(path, delimiter=";")
    code, cli = cli_results(root / "rules", path, "--config", str(config))
    by_line = {r["line"]: r["decision"] for r in cli}
    out = engine.check_arrow(batch_of(header, rows)).to_pylist()
    assert [by_line[line] for line, _ in rows] == [r["decision"] for r in out]
    assert any(r["decision"] == "block" for r in out)


def test_lists_from_another_folder(root, tmp_path):
    import shutil

    default = cordon.Engine.load(str(root / "rules"))
    for name in ("UN_SC.json", "UN_1718_VESSELS.json"):
        shutil.copy(root / "seeds/lists" / name, tmp_path / name)
    moved = cordon.Engine.load(str(root / "rules"), lists=str(tmp_path))
    assert [l["fingerprint"] for l in moved.lists()] == [l["fingerprint"] for l in default.lists()]
    with pytest.raises(cordon.RulesError) as e:
        cordon.Engine.load(str(root / "rules"), lists=str(tmp_path / "nowhere"))
    assert "UN_SC" in str(e.value)
