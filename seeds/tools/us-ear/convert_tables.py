#!/usr/bin/env python3
"""Builds the US EAR pack's lookup tables from the shared export-control data.

    python3 seeds/tools/us-ear/convert_tables.py > seeds/tools/us-ear/convert_tables.log
                                               (from the repository's root)

Reads   ../shared/data/export-controls/{us-country-chart,us-ccl,us-country-groups}/
        (or $CORDON_SHARED_DATA), seeds/reference/iso-3166-1.csv
Writes  rules/us/ear/data/country-chart.csv, country-groups.csv, ccl-eccns.csv,
        ccl-column-exclusions.csv, ccl-paragraph-controls.csv,
        ccl-paragraphs-outside-controls.csv; seeds/tools/us-ear/ccl-line-classification.csv
and prints what it dropped, mapped by hand or could not resolve (the report
in data/PROVENANCE.md quotes this output).

Every judgement this script makes about the regulation is a named constant
or a commented branch below, so that a reviewer can check it against the
CFR text.
"""

import csv
import collections
import re
import sys

import os

# Paths from this file: the repository is three folders up; the shared
# reference data sits beside it (`../shared`) unless CORDON_SHARED_DATA says
# where its `export-controls` folder is.
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
PACK = os.path.join(REPO, "rules", "us", "ear")
TOOLS = os.path.join(REPO, "seeds", "tools", "us-ear")
SHARED = os.environ.get(
    "CORDON_SHARED_DATA", os.path.join(os.path.dirname(REPO), "shared", "data", "export-controls")
)
ISO_CSV = os.path.join(REPO, "seeds", "reference", "iso-3166-1.csv")
OUT = os.path.join(PACK, "data")

COLUMNS = ["CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1", "RS1", "RS2",
           "FC1", "CC1", "CC2", "CC3", "AT1", "AT2"]

ISO = {}  # alpha2 -> official name
for r in csv.DictReader(open(ISO_CSV, encoding="utf-8")):
    ISO[r["alpha2"]] = r["name"]
ISO_BY_NAME = {n.lower(): a for a, n in ISO.items()}

log = []


def note(*a):
    msg = " ".join(str(x) for x in a)
    log.append(msg)
    print(msg)


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# ---------------------------------------------------------------------------
# 1. Commerce Country Chart
# ---------------------------------------------------------------------------

# Destinations with no chart row of their own that the source itself maps to
# another row (country-chart-2026-07-23.json, `territoryInheritance`).
# Liechtenstein has its own row (footnote 5 points to Switzerland, whose row
# it repeats), so only these two are added.
INHERITED = {
    "HK": ("China", "85 FR 83788 (Hong Kong removed from the chart; governed by the China entry)"),
    "KY": ("United Kingdom", "15 CFR 738.3(b) (dependent territory: the Cayman Islands follow the United Kingdom)"),
}

chart_src = list(csv.DictReader(open(f"{SHARED}/us-country-chart/country-chart.csv", encoding="utf-8")))
chart_rows = []
chart_by_name = {}
chart_iso = {}
for r in chart_src:
    iso2 = r["iso2"].strip()
    if not iso2:
        note(f"chart: dropped row without ISO2: {r['country']}")
        continue
    if iso2 not in ISO:
        # Cordon's `country` kind reads ISO 3166-1 codes only: a key it cannot
        # read would make the table unloadable, and no record can name it.
        note(f"chart: dropped row {r['country']} ({iso2}): {iso2} is not an ISO 3166-1 code Cordon reads")
        continue
    row = {c: ("X" if r[c].strip() == "X" else "") for c in COLUMNS}
    for c in COLUMNS:
        if r[c].strip() not in ("", "X"):
            sys.exit(f"chart: unexpected cell {r[c]!r} in {r['country']} {c}")
    chart_by_name[r["country"]] = (r, row)
    chart_iso[r["country"]] = iso2
    chart_rows.append([iso2, r["country"]] + [row[c] for c in COLUMNS]
                      + [r["footnotes"], r["embargo_referral"], ""])
for iso2, (rowname, basis) in INHERITED.items():
    r, row = chart_by_name[rowname]
    assert iso2 not in {x[0] for x in chart_rows}
    chart_rows.append([iso2, rowname] + [row[c] for c in COLUMNS]
                      + [r["footnotes"], r["embargo_referral"], basis])
    note(f"chart: added {iso2} ({ISO[iso2]}) with the row of {rowname}: {basis}")
# embargoes.cordon names the embargo-referral destinations in sets (CUBA, IRAN,
# DPRK, SYRIA, EMBARGOED): a chart that refers another destination to part
# 746 must stop the conversion until the rules are updated.
referred = {x[0] for x in chart_rows if x[2 + len(COLUMNS) + 1]}
assert referred == {"CU", "IR", "KP", "SY"}, f"embargo referral rows changed: {sorted(referred)}"
note(f"chart: embargo_referral rows: {', '.join(sorted(referred))} (the sets of embargoes.cordon)")
chart_rows.sort(key=lambda x: x[0])
write_csv(f"{OUT}/country-chart.csv",
          ["iso2", "chart_row"] + COLUMNS + ["footnotes", "embargo_referral", "row_basis"], chart_rows)
note(f"chart: {len(chart_rows)} rows written ({len(chart_src)} in the source)")
for c in COLUMNS:
    n = sum(1 for x in chart_rows if x[2 + COLUMNS.index(c)] == "X")
    note(f"chart: column {c}: {n} X")
CHART_FOOTNOTES = {}
for x in chart_rows:
    for fn in x[2 + len(COLUMNS)].split(";"):
        if fn:
            CHART_FOOTNOTES.setdefault(fn, set()).add(x[0])

# ---------------------------------------------------------------------------
# 2. Country Groups
# ---------------------------------------------------------------------------

# Part 740 spellings that neither the ISO list nor the chart's ISO column
# resolves. Each was checked by hand.
GROUP_HAND = {
    "Bosnia & Herzegovina": "BA",
    "China (PRC)": "CN",
    "Congo (Democratic Republic of)": "CD",
    "Cote d'lvoire": "CI",          # sic in the source: lower-case L for I
    "Saint Kitts & Nevis": "KN",
    "Sao Tome & Principe": "ST",
    "The Bahamas": "BS",
    "Trinidad & Tobago": "TT",
}
groups_src = list(csv.DictReader(open(f"{SHARED}/us-country-groups/country-groups.csv", encoding="utf-8")))
how = collections.Counter()
failures = []
group_rows = set()
by_name_how = {}
for r in groups_src:
    n = r["country"]
    if n.lower() in ISO_BY_NAME:
        code, why = ISO_BY_NAME[n.lower()], "iso-3166-1.csv name"
    elif n in chart_iso and chart_iso[n] in ISO:
        code, why = chart_iso[n], "country chart's ISO2 column (same spelling)"
    elif n in GROUP_HAND:
        code, why = GROUP_HAND[n], "by hand"
    else:
        code, why = None, "unresolved"
    by_name_how[n] = (code, why)
    if code is None:
        failures.append((r["group"], n))
        continue
    group_rows.add((r["group"], code, n))
for n, (code, why) in sorted(by_name_how.items()):
    how[why] += 1
    if why != "iso-3166-1.csv name":
        note(f"groups: {n!r} -> {code} ({why})")
note(f"groups: names resolved: {dict(how)}")
for g, n in failures:
    note(f"groups: NOT MAPPED: {g} {n!r}")
# Hong Kong is in no group: it is governed as China (85 FR 83788), so it gets
# China's memberships, marked in `country`.
for (g, code, n) in sorted(group_rows):
    if code == "CN":
        group_rows.add((g, "HK", "Hong Kong (follows China (PRC), 85 FR 83788)"))
dedup = {}
for g, code, n in sorted(group_rows):
    if (g, code) in dedup:
        note(f"groups: duplicate membership {g} {code}: {dedup[(g, code)]!r} and {n!r} (kept once)")
        continue
    dedup[(g, code)] = n
GROUP_ORDER = ["A:1", "A:2", "A:3", "A:4", "A:5", "A:6", "B", "D:1", "D:2", "D:3", "D:4", "D:5", "E:1", "E:2"]
rows = sorted(([g, c, n] for (g, c), n in dedup.items()), key=lambda x: (GROUP_ORDER.index(x[0]), x[1]))
write_csv(f"{OUT}/country-groups.csv", ["group", "iso2", "country"], rows)
note(f"groups: {len(rows)} memberships written ({len(groups_src)} source rows)")
GROUPS = collections.defaultdict(set)
for g, c, n in rows:
    GROUPS[g].add(c)

# ---------------------------------------------------------------------------
# 3. Commerce Control List
# ---------------------------------------------------------------------------

eccns = list(csv.DictReader(open(f"{SHARED}/us-ccl/ccl-eccns.csv", encoding="utf-8")))
lines = list(csv.DictReader(open(f"{SHARED}/us-ccl/ccl-eccn-controls.csv", encoding="utf-8")))
lines_by = collections.defaultdict(list)
for l in lines:
    lines_by[l["eccn"]].append(l)

ALL = "ALL"
UN_DESTS = CHART_FOOTNOTES["1"]          # chart footnote 1: "See § 746.1(b) …"
D_A_EXCLUDED = lambda groups: set().union(*(GROUPS[g] for g in groups)) - GROUPS["A:5"] - GROUPS["A:6"]
COUNTRY_WORDS = {
    "North Korea": "KP", "Iran": "IR", "Iraq": "IQ", "Pakistan": "PK", "Syria": "SY",
    "Cuba": "CU", "Sudan": "SD", "Russia": "RU", "Belarus": "BY", "China": "CN", "Venezuela": "VE",
}


def destinations(text):
    """(kind, destinations, except) of a License Requirements cell that names no
    chart column. kind: 'licence' (the cell states a licence requirement for
    these destinations) or 'refer' (it refers elsewhere: send to review);
    destinations: ALL or a set of ISO2 codes; except: codes excluded from ALL."""
    t = " ".join(text.split())
    low = t.lower()
    if "subject to the itar" in low or "directorate of defense trade controls" in low:
        return "refer", ALL, set(), "ITAR (22 CFR 120-130)"
    if re.search(r"all destinations,? except canada", low):
        return "licence", ALL, {"CA"}, "all destinations except Canada"
    if "all destinations" in low:
        return "licence", ALL, set(), "all destinations"
    if low.startswith("worldwide") or "any destination worldwide" in low:
        return "licence", ALL, set(), "worldwide"
    if "746.1" in low or "764.1(b)" in low:      # 764.1(b): a typo for 746.1(b) in the source
        return "refer", set(UN_DESTS), set(), "UN (746.1(b)); chart footnote 1 destinations"
    if "746.8" in low:
        return "licence", {"RU", "BY"}, set(), "Russia and Belarus (746.8)"
    if low.startswith("to or within the united arab emirates or destinations specified in country groups d:1, d:4, and d:5"):
        # Read as: the UAE, and D:1/D:4/D:5 less A:5/A:6 (the UAE is itself in A:5;
        # subtracting it would make its express mention void).
        return "licence", {"AE"} | D_A_EXCLUDED(["D:1", "D:4", "D:5"]), set(), "UAE + D:1/D:4/D:5 less A:5/A:6"
    if low.startswith("to or within destinations specified in country groups d:1, d:4, and d:5"):
        return "licence", D_A_EXCLUDED(["D:1", "D:4", "D:5"]), set(), "D:1/D:4/D:5 less A:5/A:6"
    if low.startswith("to or within macau or a destination specified in country group d:5"):
        return "licence", {"MO"} | GROUPS["D:5"], set(), "Macau + D:5"
    if low.startswith("china, russia,") or low.startswith("china, russia or"):
        return "licence", {"CN", "HK", "RU", "VE"}, set(), "China (with Hong Kong), Russia, Venezuela (742.6(a)(7))"
    if "country group e:1" in low and "license is required" in low:
        return "licence", set(GROUPS["E:1"]), set(), "Country Group E:1"
    m = re.search(r"(?i:a license is required) (?:for items controlled by (?:this entry|paragraph \.\w of this entry)|for export or reexport of these items)"
                  r"(?:, other than [^,]+,)? (?:for export or reexport )?to ([A-Z][A-Za-z ,]+?)(?: or transfer| and transfer| for | \(|\.|$)", t)
    if m:
        names = re.split(r",? (?:or|and) |, ", m.group(1))
        codes = set()
        for n in names:
            n = n.strip()
            if n not in COUNTRY_WORDS:
                return "refer", ALL, set(), f"unresolved country {n!r}"
            codes.add(COUNTRY_WORDS[n])
        return "licence", codes, set(), "named: " + ", ".join(sorted(codes))
    if "a license is required for items controlled by this entry to iran and north korea" in low:
        return "licence", {"IR", "KP"}, set(), "named: IR, KP"
    if "742.15" in low:
        # EI: a licence to all destinations except Canada (742.15(a)); License
        # Exception ENC usually applies, so this is review, not block.
        return "refer", ALL, set(), "EI (742.15)"
    return "refer", ALL, set(), "unresolved: " + t[:60]


PARA_REF = re.compile(r"\b(\d[A-E]\d{3})((?:\.[a-z0-9]+)+)")


def paragraphs(eccn, control):
    """The paragraphs of `eccn` a control line is limited to, or None when the
    line applies to the entire entry, or 'unparsed' when it is limited in a
    way this script does not read (then the line is reviewed for the whole
    entry)."""
    c = " ".join(control.split())
    low = c.lower()
    if re.search(r"\bapplies to (the )?entire entry\b|\bapply to entire entry\b|applies entire entry", low):
        if "except" in low:
            return "except"
        return None
    if low.startswith("country chart. at applies to entire entry"):
        return None
    # Limited: accept "XX applies to [items controlled by|"software" controlled by|paragraph] <refs>" only.
    m = re.match(r'^(?:[A-Z]{2,3}) applies (?:to )?(?:items controlled by |"software" controlled by |"software" in |paragraph )?(.*)$', c)
    if not m:
        return "unparsed"
    rest = m.group(1).rstrip(". ")
    # Stop at a qualifying clause (", for commodities …", " when …").
    qual = re.search(r",? (?:for|when|that|being|if|regardless|in the form|as follows)\b", rest)
    tail = ""
    if qual:
        tail = rest[qual.start():]
        rest = rest[:qual.start()]
    if tail:
        return "unparsed"
    # Ranges of the last label: "k to n" (k, l, m, n), "a.1 through a.8".
    def expand(m):
        a, b = m.group(1), m.group(2)
        pa, pb = a.rsplit(".", 1) if "." in a else ("", a), b.rsplit(".", 1) if "." in b else ("", b)
        if pa[0] != pb[0] and not (pb[0] and pa[0].endswith("." + pb[0].lstrip("."))):
            return m.group(0)
        x, y = pa[1], pb[1]
        if x.isdigit() and y.isdigit():
            labels = [str(i) for i in range(int(x), int(y) + 1)]
        elif len(x) == 1 and len(y) == 1 and x.isalpha() and y.isalpha():
            labels = [chr(i) for i in range(ord(x), ord(y) + 1)]
        else:
            return m.group(0)
        pre = (pa[0] + ".") if pa[0] else ""
        return ", ".join(pre + l for l in labels)
    rest = re.sub(r"(\.?[0-9A-Za-z][A-Za-z0-9.]*) (?:to|through) (\.?[a-z0-9][a-z0-9.]*)", expand, rest)
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+or\s+", rest)
    out = []
    for p in parts:
        p = p.strip().rstrip(".")
        if not p:
            continue
        mm = re.fullmatch(r"(\d[A-E]\d{3})((?:\.[a-z0-9]+)+)", p)
        if mm:
            if mm.group(1) != eccn:
                return "unparsed"
            out.append(p)
            continue
        mm = re.fullmatch(r"\.?([a-z](?:\.[a-z0-9]+)*)", p)   # relative: ".c", "z.2.a", "a.3"
        if mm:
            out.append(f"{eccn}.{mm.group(1)}")
            continue
        return "unparsed"
    return out or "unparsed"


LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
NUMBERS = [str(i) for i in range(1, 100)]


def complement(code, ps, below_rows=False):
    """Paragraph prefixes of `code` outside every paragraph in `ps`: for each node
    on the path to a paragraph of `ps`, every sibling label (a-z at letter
    levels, 1-99 at number levels) that is not itself on such a path. A code at
    or below one of them is outside `ps`; a code above them (the bare ECCN, or
    3A001.z for 3A001.z.1.a) is in none of them.

    With `below_rows`, a paragraph of `ps` with paragraphs of `ps` under it
    (3B001.c over 3B001.c.1.a) is walked too: the prefixes under it outside
    those (3B001.c.1.b, 3B001.c.2) are inside it but outside every row below
    its own, which is what a record coded there needs to be told apart from
    one that may be in them."""
    trie, leaves, out = {}, set(), []
    for p in sorted(ps):
        parts = p.split(".")[1:]
        node = trie
        for x in parts:
            node = node.setdefault(x, {})
        leaves.add(tuple(parts))

    def walk(node, path):
        if tuple(path) in leaves and not (below_rows and node):
            return          # everything under a listed paragraph is inside it
        kids = set(node)
        if all(k.isdigit() for k in kids):
            alphabet = NUMBERS
        elif all(re.fullmatch(r"[a-z]", k) for k in kids):
            alphabet = LETTERS
        else:
            sys.exit(f"mixed paragraph labels under {code}.{'.'.join(path)}: {kids}")
        for a in alphabet:
            if a not in kids:
                out.append(".".join([code] + path + [a]))
        for k, sub in sorted(node.items(), key=lambda kv: (len(kv[0]), kv[0])):
            walk(sub, path + [k])

    walk(trie, [])
    return out


def covered(x, prefixes):
    return any(x == s or x.startswith(s + ".") for s in prefixes)


def intersect(a, b):
    """The codes covered by both prefix sets, as a prefix set."""
    r = {x for x in a if covered(x, b)} | {x for x in b if covered(x, a)}
    return {x for x in r if not any(x != y and x.startswith(y + ".") for y in r)}


def iso_list(codes):
    return ";".join(sorted(codes))


ccl_rows = []
para = collections.defaultdict(lambda: {"lic_all": False, "lic_except": None, "lic": set(),
                                         "rev_all": False, "rev": set(), "text": []})
stats = collections.Counter()
fixed_columns = []
classified = []
col_except = {}       # (eccn, column) -> [set of excluded paragraphs | None per line]
col_unparsed = []
col_scoped = []
for e in eccns:
    code = e["eccn"]
    cols = [c for c in e["chart_columns"].split(";") if c]
    ent = {"lic_all": False, "lic_except": None, "lic": set(), "rev_all": False, "rev": set(),
           "para_all": False, "para": set(), "paras": [], "text": []}
    if e["no_license_requirements_section"] == "yes":
        # Reviewed by its own rule (US-EAR-774-NOT-EAR-ENTRY), not as a review_* control.
        ent["text"].append("no License Requirements section: " + (
            "subject to the ITAR" if "ITAR" in e["heading"] else "see the entry"))
        stats["no licence section"] += 1
    for l in lines_by.get(code, []):
        if l["chart_columns"]:
            # "XX applies to entire entry except <paragraphs>": the column does not
            # apply to those paragraphs. Collected per column; any other line naming
            # the column (entire entry, or limited in another way) keeps it everywhere.
            c = " ".join(l["control"].split())
            m = re.match(r"^[A-Z]{2} applies to (?:the )?entire entry,? except:? (?:for )?(.*)$", c)
            excl = None
            if m:
                # Keep the excepted pieces that are plain paragraphs; drop conditional
                # ones ("parts … if being exported for use in …"): excepting less is
                # the conservative reading.
                text = re.sub(r"\. Note:.*$", "", m.group(1))
                text = re.sub(r"(\d[A-E]\d{3})\. ", r"\1.", text)      # "8A620. b" (sic)
                excl = set()
                for piece in re.split(r";\s*(?:and\s+)?|,\s+and\s+(?=\d[A-E]\d{3})|\s+and\s+(?=[a-z]+ )", text):
                    ps = paragraphs(code, "XX applies to " + piece.strip())
                    if isinstance(ps, list):
                        excl |= set(ps)
                    else:
                        col_unparsed.append(f"{code} line {l['line']}: not read: {piece.strip()[:90]}")
                if not excl:
                    excl = None
            elif not re.search(r"\bentire entry\b", c):
                # "MT applies to 9A610.t, .u, .v, and .w": the column does not apply
                # to the other paragraphs of the entry.
                ps = paragraphs(code, c)
                if isinstance(ps, list):
                    excl = set(complement(code, ps))
                    col_scoped.append(f"{code} line {l['line']} {l['chart_columns']}: only {', '.join(ps)}")
            for col in l["chart_columns"].split(";"):
                col_except.setdefault((code, col), []).append(excl)
            continue
        ctrl, cell = l["control"], l["country_chart_text"]
        # 1C351 line 3 reads "AT applies to entire entry" with the cell "Column 1.":
        # the source dropped "AT" from "AT Column 1". Read as AT1 (no X anywhere).
        if cell.strip() == "Column 1." and ctrl.strip().startswith("AT applies"):
            if "AT1" not in cols:
                cols.append("AT1")
            fixed_columns.append(f"{code} line {l['line']}: 'Column 1.' read as AT1")
            continue
        kind, dests, exc, why = destinations(cell)
        scope = paragraphs(code, ctrl)
        label = f"{ctrl.split(' applies')[0].split(' apply')[0][:40]} [{why}]"
        classified.append([code, l["line"], " ".join(ctrl.split())[:200], " ".join(cell.split())[:200], kind, why,
                           "entire" if scope is None else (scope if isinstance(scope, str) else " ".join(scope))])
        if scope is None or scope == "except" or scope == "unparsed":
            if scope in ("except", "unparsed") and kind == "licence":
                kind = "refer"       # limited in a way not read here: review, never block
                label += " (limited to part of the entry: review)"
            stats[f"entry {kind}"] += 1
            if kind == "licence":
                if dests == ALL:
                    if ent["lic_all"]:
                        ent["lic_except"] = (ent["lic_except"] or set()) & exc
                    else:
                        ent["lic_all"], ent["lic_except"] = True, set(exc)
                else:
                    ent["lic"] |= dests
            else:
                if dests == ALL:
                    ent["rev_all"] = True
                else:
                    ent["rev"] |= dests
            ent["text"].append(label)
        else:
            stats[f"paragraph {kind}"] += 1
            ent["paras"] += scope
            if dests == ALL:
                ent["para_all"] = True
            else:
                ent["para"] |= dests
            for p in scope:
                d = para[p]
                d["eccn"] = code
                if kind == "licence":
                    if dests == ALL:
                        if d["lic_all"]:
                            d["lic_except"] = (d["lic_except"] or set()) & exc
                        else:
                            d["lic_all"], d["lic_except"] = True, set(exc)
                    else:
                        d["lic"] |= dests
                else:
                    if dests == ALL:
                        d["rev_all"] = True
                    else:
                        d["rev"] |= dests
                d["text"].append(label)
            ent["text"].append(label + " for " + ", ".join(scope))
    heading = " ".join(e["heading"].split())
    if len(heading) > 120:
        heading = heading[:119].rsplit(" ", 1)[0] + "…"
    order = {c: i for i, c in enumerate(COLUMNS)}
    cols = sorted(set(cols), key=lambda c: order[c])
    ccl_rows.append([
        code, ";".join(cols), e["reasons_for_control"], heading,
        "; ".join(ent["text"]),
        "yes" if ent["lic_all"] else "", iso_list(ent["lic_except"] or set()), iso_list(ent["lic"]),
        "yes" if ent["rev_all"] else "", iso_list(ent["rev"]),
        ";".join(dict.fromkeys(ent["paras"])), "yes" if ent["para_all"] else "", iso_list(ent["para"]),
        e["no_license_requirements_section"],
    ])
write_csv(f"{OUT}/ccl-eccns.csv",
          ["eccn", "chart_columns", "reasons_for_control", "heading", "other_controls",
           "licence_worldwide", "licence_worldwide_except", "licence_destinations",
           "review_worldwide", "review_destinations",
           "paragraph_controls", "paragraph_worldwide", "paragraph_destinations",
           "no_license_requirements_section"], ccl_rows)
write_csv(f"{TOOLS}/ccl-line-classification.csv",
          ["eccn", "line", "control", "country_chart_text", "kind", "destinations", "scope"], classified)
note(f"ccl: {len(ccl_rows)} ECCNs written; non-chart lines: {dict(stats)}")
for f in fixed_columns:
    note("ccl: fixed:", f)
note(f"ccl: ECCNs with no chart column: {sum(1 for r in ccl_rows if not r[1])}; "
     f"with other controls: {sum(1 for r in ccl_rows if r[4])}")

# A paragraph inherits the controls of every controlled paragraph above it
# (3B001.c.1.a is also in 3B001.c): the table lookup finds the most specific
# row, which must then carry all of them.
for p in sorted(para, key=len, reverse=True):
    d = para[p]
    parts = p.split(".")
    for i in range(2, len(parts)):
        a = ".".join(parts[:i])
        if a in para and a != p:
            up = para[a]
            if up["lic_all"]:
                if d["lic_all"]:
                    d["lic_except"] = (d["lic_except"] or set()) & (up["lic_except"] or set())
                else:
                    d["lic_all"], d["lic_except"] = True, set(up["lic_except"] or set())
            d["lic"] |= up["lic"]
            d["rev_all"] |= up["rev_all"]
            d["rev"] |= up["rev"]
            d["text"] += [t + f" (from {a})" for t in up["text"] if "(from " not in t]

# Column exclusions: paragraph -> columns that do not apply to it.
excl_rows = collections.defaultdict(set)
for (code, col), ex in col_except.items():
    if any(x is None for x in ex):
        continue
    common = ex[0]
    for x in ex[1:]:
        common = intersect(common, x)
    for p in common:
        excl_rows[p].add(col)
# A row also carries the exclusions of the rows above it: the lookup finds
# the most specific row.
for p in sorted(excl_rows, key=len):
    parts = p.split(".")
    for i in range(2, len(parts)):
        a = ".".join(parts[:i])
        if a in excl_rows:
            excl_rows[p] |= excl_rows[a]
order = {c: i for i, c in enumerate(COLUMNS)}
write_csv(f"{OUT}/ccl-column-exclusions.csv", ["paragraph", "eccn", "excluded_columns"],
          [[p, p[:5], ";".join(sorted(cs, key=lambda c: order[c]))] for p, cs in sorted(excl_rows.items())])
note(f"ccl: {len(excl_rows)} paragraphs with excluded chart columns written to ccl-column-exclusions.csv "
     f"({len({p[:5] for p in excl_rows})} ECCNs)")
for u in col_unparsed:
    note("ccl: column exclusion not read:", u)
for u in col_scoped:
    note("ccl: column limited to paragraphs:", u)

# What the rows below a row require, licence or review (3B001.c: its
# sub-paragraphs c.1.a and c.1.c need a licence worldwide, 3B001.c itself to
# Macau and D:5 only). A record coded at 3B001.c, or at 3B001.c.1, may be in
# them: the rules review it, as they review a record coded above the
# paragraphs of an entry (paragraph_worldwide, paragraph_destinations).
below = {p: {"all": False, "dests": set()} for p in para}
for p, d in para.items():
    parts = p.split(".")
    for i in range(2, len(parts)):
        a = ".".join(parts[:i])
        if a in para:
            below[a]["all"] |= d["lic_all"] or d["rev_all"]
            below[a]["dests"] |= d["lic"] | d["rev"]

prow = []
for p, d in sorted(para.items()):
    prow.append([p, d["eccn"], "yes" if d["lic_all"] else "", iso_list(d["lic_except"] or set()),
                 iso_list(d["lic"]), "yes" if d["rev_all"] else "", iso_list(d["rev"]),
                 "yes" if below[p]["all"] else "", iso_list(below[p]["dests"]), "; ".join(d["text"])])
write_csv(f"{OUT}/ccl-paragraph-controls.csv",
          ["paragraph", "eccn", "licence_worldwide", "licence_worldwide_except", "licence_destinations",
           "review_worldwide", "review_destinations", "below_worldwide", "below_destinations", "controls"], prow)
note(f"ccl: {sum(1 for b in below.values() if b['all'] or b['dests'])} paragraph rows with controlled rows below them")
note(f"ccl: {len(prow)} paragraph rows written to ccl-paragraph-controls.csv")

# Paragraphs outside every paragraph-limited control: for each ECCN with such
# controls, every sibling paragraph label (a-z at letter levels, 1-99 at
# number levels) of each node on the path to a controlled paragraph that is
# not itself on such a path. A record coded at or below one of these is
# outside the paragraph controls; a record coded above them (3A001, 3A001.z)
# is not, and is reviewed. Under a controlled paragraph with controlled
# paragraphs below it (3B001.c), the prefixes outside those (3B001.c.1.b)
# are listed too: inside 3B001.c, whose row decides them, and outside the
# rows below it.
outside = []
by_eccn = collections.defaultdict(set)
for p in para:
    by_eccn[p[:5]].add(p)
for code, ps in sorted(by_eccn.items()):
    outside += complement(code, ps, below_rows=True)
write_csv(f"{OUT}/ccl-paragraphs-outside-controls.csv", ["paragraph"], [[p] for p in outside])
note(f"ccl: {len(outside)} outside-paragraph prefixes for {len(by_eccn)} ECCNs written")
