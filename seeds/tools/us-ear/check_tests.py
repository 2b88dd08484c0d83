#!/usr/bin/env python3
"""A second, independent evaluation of the US EAR pack's rules in Python,
written while the engine could not yet parse `table` and `applies_when`, and
kept as a cross-check of the pack's *.tests.yaml: it re-implements each rule
of chart.cordon, ccl.cordon and embargoes.cordon over the same data files,
with Cordon's three-valued logic where the tests need it (a missing or
unreadable ECCN). The Entity List rules need screening; here they only count
as firing when a test expects them, so that the decision can be compared.

    python3 seeds/tools/us-ear/check_tests.py     (from the repository's root)

`cordon test --rules rules/us/ear` is the check that counts; where the two
disagree, the engine is right about the language and this script is to be
fixed.
"""

import csv
import os
import re
import sys

import yaml

T, F, U = "T", "F", "U"


def tand(*xs):
    if F in xs:
        return F
    return U if U in xs else T


def tor(*xs):
    if T in xs:
        return T
    return U if U in xs else F


def tnot(x):
    return {T: F, F: T, U: U}[x]


def tb(b):
    return T if b else F


# The pack's folder, from this file: the repository is three folders up.
PACK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "rules", "us", "ear")


def load(path):
    return list(csv.DictReader(open(os.path.join(PACK, path), encoding="utf-8")))


CHART = {r["iso2"]: r for r in load("data/country-chart.csv")}
CCL = {r["eccn"]: r for r in load("data/ccl-eccns.csv")}
PARA = {r["paragraph"]: r for r in load("data/ccl-paragraph-controls.csv")}
EXCL = {r["paragraph"]: r for r in load("data/ccl-column-exclusions.csv")}
OUTSIDE = [r["paragraph"] for r in load("data/ccl-paragraphs-outside-controls.csv")]
ISO = {r["alpha2"] for r in load("/work/main/seeds/reference/iso-3166-1.csv")}


def lst(cell):
    return [x for x in cell.split(";") if x]


def read_eccn(t):
    t = "".join(str(t).split())
    if t.upper() == "EAR99":
        return "EAR99"
    if not re.fullmatch(r"[0-9][A-Ea-e][0-9]{3}(\.[A-Za-z0-9]+)*", t):
        return None
    parts = t.split(".")
    return ".".join([parts[0].upper()] + [p.lower() for p in parts[1:]])


def covers(entry, value):
    return value == entry or (entry != "EAR99" and value.startswith(entry + "."))


def lookup(table, code):
    """Hierarchical key: the most specific row whose key covers the code."""
    best = None
    for k in table:
        if covers(k, code) and (best is None or len(k) > len(best)):
            best = k
    return table[best] if best else None


def in_set(code, elements):
    return any(covers(e, code) for e in elements)


FAMILIES = {"CB": ["CB1", "CB2", "CB3"], "NP": ["NP1", "NP2"], "NS": ["NS1", "NS2"], "MT": ["MT1"],
            "RS": ["RS1", "RS2"], "FC": ["FC1"], "CC": ["CC1", "CC2", "CC3"], "AT": ["AT1", "AT2"]}
FN10 = ["0A501", "0A502", "0A504.i", "0A505.a", "0A505.x", "0A506", "0A507", "0A508", "0A509", "0D501",
        "0D505", "0E501", "0E504", "0E505"]
US_TERRITORY = {"US", "PR", "GU", "VI", "AS", "MP", "UM"}
FOOD_HS = [f"{c:02d}" for c in list(range(2, 5)) + list(range(7, 13)) + list(range(15, 22))] + \
    ["2201", "2202", "23", "3002", "3003", "3004"]
EMBARGOED = {"CU", "IR", "KP", "SY"}


class Rec:
    def __init__(self, r):
        self.r = r
        e = r.get("eccn")
        if e is None or e == [] or e == "":
            self.eccn, self.eccn_state = None, "missing"
        else:
            vals = e if isinstance(e, list) else [x for x in str(e).split(";") if x.strip()]
            read = [read_eccn(v) for v in vals]
            if any(x is None for x in read):
                self.eccn, self.eccn_state = None, "unreadable"
            else:
                self.eccn, self.eccn_state = read, "ok"
        self.dest = r.get("destination")
        self.hs = str(r.get("hs_code", "")).replace(".", "").replace(" ", "")

    def present(self, f):
        v = self.r.get(f)
        return tb(v not in (None, "", []))

    def present_eccn(self):
        return tb(self.eccn_state != "missing")

    def any_eccn(self, pred):
        """any(e in eccn: pred(e)) → T/F/U."""
        if self.eccn_state != "ok":
            return U
        return tor(*[pred(e) for e in self.eccn]) if self.eccn else F

    def all_eccn(self, pred):
        if self.eccn_state != "ok":
            return U
        return tand(*[pred(e) for e in self.eccn]) if self.eccn else T


def chart_family(rec, fam):
    def pred(e):
        row = lookup(CCL, e)
        if row is None:
            return F
        ex = lookup(EXCL, e)
        excl = lst(ex["excluded_columns"]) if ex else []
        return tb(any(c in FAMILIES[fam] and CHART[rec.dest][c] == "X" and c not in excl
                      for c in lst(row["chart_columns"])))
    return tand(rec.present_eccn(), tb(rec.dest in CHART), rec.any_eccn(pred) if rec.dest in CHART else F)


def dest_in(rec, row, prefix):
    if row[f"{prefix}_worldwide"] == "yes" and rec.dest not in lst(row.get(f"{prefix}_worldwide_except", "")):
        return True
    return rec.dest in lst(row[f"{prefix}_destinations"])


def rules(rec):
    """rule id -> (when, severity, undecided_severity, [(name, cond, then)])"""
    out = {}
    lic = ("LICENCE_CITED", rec.present("license"), "review")
    for fam in FAMILIES:
        out[f"US-EAR-738-{fam}"] = (chart_family(rec, fam), "block", "review", [lic])
    fn10 = F
    if rec.dest in CHART and "10" in lst(CHART[rec.dest]["footnotes"]):
        fn10 = tand(rec.present_eccn(), rec.any_eccn(lambda e: tb(in_set(e, FN10) and not in_set(e, ["0A501.y"]))))
    out["US-EAR-738-FN10"] = (fn10, "block", "review", [lic])
    out["US-EAR-738-NO-CHART-ROW"] = (tand(rec.present_eccn(), tb(rec.dest not in CHART),
                                           rec.any_eccn(lambda e: tb(e != "EAR99"))), "review", "review", [])
    out["US-EAR-774-ECCN-MISSING"] = (tb(rec.eccn_state == "missing"), "review", "review", [])
    out["US-EAR-774-UNKNOWN-ECCN"] = (tand(rec.present_eccn(), rec.any_eccn(
        lambda e: tb(e != "EAR99" and lookup(CCL, e) is None))), "review", "review", [])
    out["US-EAR-774-NOT-EAR-ENTRY"] = (tand(rec.present_eccn(), rec.any_eccn(
        lambda e: tb(lookup(CCL, e) is not None and lookup(CCL, e)["no_license_requirements_section"] == "yes"))),
        "review", "review", [])
    out["US-EAR-774-LICENCE"] = (tand(rec.present_eccn(), rec.any_eccn(
        lambda e: tb(lookup(CCL, e) is not None and dest_in(rec, lookup(CCL, e), "licence")))), "block", "review", [lic])
    out["US-EAR-774-PARAGRAPH"] = (tand(rec.present_eccn(), rec.any_eccn(
        lambda e: tb(lookup(PARA, e) is not None and dest_in(rec, lookup(PARA, e), "licence")))), "block", "review", [lic])

    def unspecified(e):
        row, prow = lookup(CCL, e), lookup(PARA, e)
        if row is None or in_set(e, OUTSIDE):
            return F
        if prow is not None:
            return tb(prow["below_worldwide"] == "yes" or rec.dest in lst(prow["below_destinations"]))
        return tb(row["paragraph_worldwide"] == "yes" or rec.dest in lst(row["paragraph_destinations"]))
    out["US-EAR-774-PARAGRAPH-UNSPECIFIED"] = (tand(rec.present_eccn(), rec.any_eccn(unspecified)), "review", "review", [])

    def review(e):
        row, prow = lookup(CCL, e), lookup(PARA, e)
        a = row is not None and (row["review_worldwide"] == "yes" or rec.dest in lst(row["review_destinations"]))
        b = prow is not None and (prow["review_worldwide"] == "yes" or rec.dest in lst(prow["review_destinations"]))
        return tb(a or b)
    out["US-EAR-774-REVIEW"] = (tand(rec.present_eccn(), rec.any_eccn(review)), "review", "review", [])

    food = tand(rec.present_eccn(), rec.all_eccn(lambda e: tb(e == "EAR99")) if rec.eccn_state != "missing" else F,
                tb(any(rec.hs.startswith(h) for h in FOOD_HS)))
    out["US-EAR-746.2-CU"] = (tb(rec.dest == "CU"), "block", "block", [lic])
    out["US-EAR-746.4-KP"] = (tb(rec.dest == "KP"), "block", "block", [("FOOD_MEDICINE_EAR99", food, "review"), lic])
    out["US-EAR-746.7-IR"] = (tb(rec.dest == "IR"), "block", "block", [("FOOD_MEDICINE_EAR99", food, "review"), lic])
    spp = tand(tb(str(rec.r.get("date")) >= "2025-09-02"), rec.present_eccn(),
               rec.all_eccn(lambda e: tb(e == "EAR99")) if rec.eccn_state != "missing" else F)
    out["US-EAR-746.9-SY"] = (tb(rec.dest == "SY"), "block", "block",
                              [("FOOD_MEDICINE_EAR99", food, "review"), ("LICENCE_EXCEPTION_SPP", spp, "review"), lic])
    rb = rec.dest in ("RU", "BY")
    out["US-EAR-746.8-RU-BY"] = (tand(tb(rb), rec.present_eccn(), rec.any_eccn(lambda e: tb(e != "EAR99")) if rb else F),
                                 "block", "review", [lic])
    out["US-EAR-746.8-RU-BY-EAR99"] = (tand(tb(rb), rec.present_eccn(), rec.any_eccn(lambda e: tb(e == "EAR99")) if rb else F),
                                       "review", "review", [])
    out["US-EAR-746.6-UA"] = (tb(rec.dest == "UA"), "review", "review", [])
    recv = [rec.r.get("buyer_country")] + list(rec.r.get("consignee_country") or []) + \
        list(rec.r.get("notify_party_country") or []) + list(rec.r.get("end_user_country") or [])
    recv = [c for c in recv if c]
    out["US-EAR-746-RECEIVING-PARTY"] = (tand(tb(any(c in EMBARGOED for c in recv)) if recv else U,
                                              tb(rec.dest not in EMBARGOED)), "review", "review", [])
    out["US-EAR-744.11-UNSCREENED"] = (tnot(rec.present("buyer")), "review", "review", [])
    return out


SEV = {"pass": 0, "review": 1, "block": 2}


def evaluate(record, expected_hits):
    rec = Rec(record)
    if not record.get("destination") or record["destination"] not in ISO:
        return "invalid", {}, []
    flow = record.get("flow")
    scope = tand(tb(flow != "import") if flow else U, tb(rec.dest not in US_TERRITORY),
                 tor(tb(record.get("origin") in US_TERRITORY), tb(record.get("export_country") in US_TERRITORY)
                     if record.get("export_country") else U, rec.present_eccn()))
    if scope == F:
        return "pass", {}, []
    findings = {}
    notes = []
    for rid, (when, sev, und, unless) in rules(rec).items():
        if when == F:
            continue
        if when == U:
            findings[rid] = und
            notes.append(f"{rid}: not decided")
            continue
        lowered, unknown = None, False
        for name, cond, then in unless:
            if cond == T and lowered is None:
                lowered = (then, name)
            elif cond == U:
                unknown = True
        if unknown:
            findings[rid] = und
            notes.append(f"{rid}: exemption not decided")
        elif lowered:
            findings[rid] = lowered[0]
            notes.append(f"{rid}: {lowered[1]}")
        else:
            findings[rid] = sev
    # Screening rules: taken from the test (checked by the engine).
    for rid in expected_hits:
        if rid.startswith("US-EAR-744.11-ENTITY"):
            if record.get("license") and rid == "US-EAR-744.11-ENTITY":
                notes.append(f"{rid}: LICENCE_CITED")
            findings[rid] = "review" if (".POSSIBLE" in rid or ".OTHER-ROLE" in rid or record.get("license")
                                         or str(record.get("date")) < "2019-05-21") else "block"
    decision = max(findings.values(), key=lambda s: SEV[s]) if findings else "pass"
    return decision, findings, notes


def main():
    files = sys.argv[1:] or ["chart.tests.yaml", "ccl.tests.yaml", "embargoes.tests.yaml", "entity-list.tests.yaml"]
    bad = 0
    n = 0
    fired = set()
    for f in files:
        doc = yaml.safe_load(open(os.path.join(PACK, f), encoding="utf-8"))
        for t in doc["tests"]:
            n += 1
            rec = dict(doc.get("defaults", {}))
            rec.update(t.get("record", {}))
            rec = {k: v for k, v in rec.items() if v is not None}
            exp_hits = t.get("hits")
            decision, findings, notes = evaluate(rec, exp_hits or [])
            fired |= set(findings)
            problems = []
            if exp_hits is not None and sorted(exp_hits) != sorted(findings):
                problems.append(f"hits: expected {sorted(exp_hits)}, got {sorted(findings)}")
            for m in t.get("misses", []):
                if m in findings:
                    problems.append(f"{m} fired but is a near miss")
            if "decision" in t and t["decision"] != decision:
                problems.append(f"decision: expected {t['decision']}, got {decision}")
            for s in t.get("says", []):
                if s.isupper() and "_" in s and not any(s in x for x in notes):
                    problems.append(f"says {s!r}: no finding is lowered by it")
            if problems:
                bad += 1
                print(f"FAIL {f}: {t['name']}")
                for p in problems:
                    print("   ", p)
                for x in notes:
                    print("    note:", x)
    print(f"{n} tests, {bad} failed; rules fired: {len(fired)}")


if __name__ == "__main__":
    main()
