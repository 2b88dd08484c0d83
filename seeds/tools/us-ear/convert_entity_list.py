#!/usr/bin/env python3
"""Converts the Entity List (Supp. No. 4 to 15 CFR part 744) into a Cordon
watchlist CSV, the simplest list format `cordon lists import` reads.

    python3 seeds/tools/us-ear/convert_entity_list.py     (from the repository's root)

Reads   ../shared/data/export-controls/us-entity-list/entity-list.csv
        (or $CORDON_SHARED_DATA/us-entity-list/entity-list.csv)
Writes  seeds/lists/sources/us-entity-list-watchlist.csv  (ref, name, name_kind,
        kind, nationality, listed_on, programme, remarks)
        seeds/tools/us-ear/entity-list-parse-report.txt    (what was dropped or doubtful)

One entry of the list is one `ref`; its first row is the primary name, the
others aliases (`name_kind: alias`, strong). Names taken from an entry:
  * the name: the published cell up to ", a.k.a." / "(f.k.a." / " and the
    following" or, without those, up to the first comma that does not start a
    legal form ("…Co., Ltd., Room 408" gives "…Co., Ltd.");
  * aliases: the "—" lines after "a.k.a., the following N aliases:", inline
    "a.k.a. X" / "aka X" / "(f.k.a., X; Y; and Z)" / "(a.k.a., X; a.k.a. Y)";
  * subordinate institutions ("Subordinate institution" + name) and affiliated
    entities ("Affiliated entities:" + one per line): listed under the entry,
    so they are names of the entry too;
  * the name without a trailing parenthesised acronym, as an alias
    ("Emal Bilal Construction Company (EBCC)" also gives "Emal Bilal
    Construction Company"): the acronym is a rare word that would otherwise
    lower the score of a party written without it.
The four continuation rows (continues_previous_row = yes) belong to the entry
above them.
"""

import collections
import csv
import hashlib
import re
import unicodedata

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
SRC = os.path.join(SHARED, "us-entity-list", "entity-list.csv")
OUT = os.path.join(REPO, "seeds", "lists", "sources", "us-entity-list-watchlist.csv")
REPORT = os.path.join(TOOLS, "entity-list-parse-report.txt")

# The Entity List's country headings, to ISO 3166-1 alpha-2. Entries are
# listed under the country of their addresses; "Crimea region of Ukraine" is
# given UA (ISO has no code for the region).
COUNTRY = {
    "AFGHANISTAN": "AF", "ARGENTINA": "AR", "ARMENIA": "AM", "AUSTRALIA": "AU", "AUSTRIA": "AT",
    "BAHRAIN": "BH", "BELARUS": "BY", "BELGIUM": "BE", "BELIZE": "BZ", "BOLIVIA": "BO", "BRAZIL": "BR",
    "BULGARIA": "BG", "BURMA": "MM", "CANADA": "CA", "CHILE": "CL", "CHINA, PEOPLE'S REPUBLIC OF": "CN",
    "COSTA RICA": "CR", "CRIMEA REGION OF UKRAINE": "UA", "CUBA": "CU", "CYPRUS": "CY", "DENMARK": "DK",
    "ECUADOR": "EC", "EGYPT": "EG", "ESTONIA": "EE", "FINLAND": "FI", "FRANCE": "FR", "GEORGIA": "GE",
    "GERMANY": "DE", "GREECE": "GR", "HONG KONG": "HK", "HUNGARY": "HU", "INDIA": "IN", "INDONESIA": "ID",
    "IRAN": "IR", "IRAQ": "IQ", "IRELAND": "IE", "ISRAEL": "IL", "ITALY": "IT", "JAMAICA": "JM",
    "JAPAN": "JP", "JORDAN": "JO", "KAZAKHSTAN": "KZ", "KENYA": "KE", "KYRGYZSTAN": "KG", "LAOS": "LA",
    "LATVIA": "LV", "LEBANON": "LB", "LITHUANIA": "LT", "LUXEMBOURG": "LU", "MADAGASCAR": "MG",
    "MALAYSIA": "MY", "MALTA": "MT", "MEXICO": "MX", "MOROCCO": "MA", "NETHERLANDS": "NL",
    "NEW ZEALAND": "NZ", "NICARAGUA": "NI", "NORTH MACEDONIA": "MK", "NORWAY": "NO", "OMAN": "OM",
    "PAKISTAN": "PK", "PANAMA": "PA", "PARAGUAY": "PY", "PERU": "PE", "PHILIPPINES": "PH", "POLAND": "PL",
    "PORTUGAL": "PT", "QATAR": "QA", "ROMANIA": "RO", "RUSSIA": "RU", "SAUDI ARABIA": "SA",
    "SENEGAL": "SN", "SINGAPORE": "SG", "SLOVAKIA": "SK", "SOUTH AFRICA": "ZA", "SOUTH KOREA": "KR",
    "SOUTH SUDAN": "SS", "SPAIN": "ES", "SRI LANKA": "LK", "SWEDEN": "SE", "SWITZERLAND": "CH",
    "SYRIA": "SY", "TAIWAN": "TW", "THAILAND": "TH", "TURKEY": "TR", "UGANDA": "UG", "UKRAINE": "UA",
    "UNITED ARAB EMIRATES": "AE", "UNITED KINGDOM": "GB", "UZBEKISTAN": "UZ", "VENEZUELA": "VE",
    "VIETNAM": "VN",
}

# Words that may follow a comma inside a name: a legal form or its part.
LEGAL = re.compile(
    r"^(ltd|limited|inc|incorporated|llc|l\.l\.c|llp|lp|plc|co|corp|corporation|company|gmbh|ag|sa|s\.a|"
    r"s\.a\.r\.l|sarl|srl|s\.r\.l|bv|b\.v|nv|n\.v|jsc|ojsc|cjsc|pjsc|ao|oao|zao|pao|ooo|llc\.|fze|fzco|fzc|"
    r"fz-llc|fz llc|dmcc|pte|pvt|private|pty|sdn|bhd|kft|oy|ab|as|a\.s|spa|s\.p\.a|sl|s\.l|se|kg|ug|doo|d\.o\.o|"
    r"tic|ltd\.|ltd\.,|a\.ş|a\.s\.|san|tic\.|ve|fze\.|l\.t\.d|jv|joint stock company|open joint stock company|"
    r"closed joint stock company|state corporation|the|ic|inc\.|l\.p)\b",
    re.I,
)
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"twenty-one": 21, "twenty-two": 22, "twenty-three": 23, "twenty-four": 24,
                     "twenty-five": 25, "twenty-six": 26, "twenty-seven": 27, "twenty-eight": 28,
                     "twenty-nine": 29, "thirty": 30})
AKA_HEAD = re.compile(r",?\s*\(?\b(?:a\.k\.a\.?|aka|f\.k\.a\.?|formerly known as|also known as)(?=[\s,:;])|,?\s+and the following\b|,\s+the following \w+ alias|,\s+(?:and\s+)?to include\b", re.I)

report = []

# Lines in alias position that describe a class of entities, not a name.
DESCRIPTIONS = ("Nuclear reactors (including power plants)",)


def clean(s):
    s = unicodedata.normalize("NFC", s)
    s = " ".join(s.split())
    s = s.strip(" ;:,")
    s = re.sub(r"(;|,)?\s+and$", "", s).strip(" ;:,")
    s = re.sub(r"^and\s+", "", s)
    if s.endswith(".") and not re.search(r"\b(ltd|co|inc|corp|s\.a|l\.l\.c|jsc|n\.v|b\.v|s\.p\.a|pvt|bhd|sdn|plc|no)\.$", s, re.I):
        s = s[:-1]
    return s.strip(" ;:,")


ABBREV = {"co", "corp", "ltd", "inc", "no", "st", "ave", "mr", "dr", "jr", "sr", "pvt", "bhd", "sdn", "llc",
          "inst", "dept", "univ", "tech", "sci", "intl", "int", "mfg", "ind", "eng", "elec", "assn", "bros",
          "gen", "mt", "ft", "sq", "rd", "bldg", "blvd", "im", "imeni", "nauchno", "jsc", "ojsc", "cjsc", "pt", "cv"}


UNIT_WORDS = re.compile(
    r"\b(Institute|Institution|Company|Plant|Bureau|Academy|Cent(?:er|re)|Laborator(?:y|ies)|Factory|"
    r"University|College|Department|School|Corporation|Enterprise|Association|Concern|Design|Engineering|"
    r"Research|Works|Shipyard|NPO|NPP|OKB|KB|RKB|AO|JSC|PJSC|OAO|ZAO|OOO|FGUP|GNPP)\b|[“\"]")
ADDRESS_WORDS = re.compile(
    r"\b(Road|Rd|Street|St|Avenue|Ave|Floor|Room|Building|Bldg|Block|District|Province|Oblast|Region|"
    r"P\.?O\.? Box|Zone|Park|Tower|Suite|Unit|Lane|Village|City|Square|Prospekt|Shosse|Highway)\b", re.I)


def cut_sentence(t):
    """Cuts at '. ' that ends the name and starts an address ('More Shipyard. 1
    Desantnikov Street'): the word before is no abbreviation or initial, and a
    digit follows within 80 characters."""
    for m in re.finditer(r"\. (?=[A-Z0-9])", t):
        before = re.search(r"(\S+)$", t[:m.start()])
        w = before.group(1) if before else ""
        if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", w) or w.lower().strip("(") in ABBREV:
            continue
        if re.search(r"\d", t[m.end():m.end() + 80]):
            return t[:m.start()]
    return t


def head_name(text):
    """The name at the start of `text` (one line)."""
    t = cut_sentence(text.strip())
    m = AKA_HEAD.search(t)
    if m:
        return clean(t[:m.start()])
    # First comma that does not start a legal form or a named sub-unit
    # ("Academy of Military Medical Sciences, Institute of Bioengineering, 20 East
    # Street" keeps the institute; "…Co., Shanghai, China" does not keep Shanghai).
    pos = 0
    while True:
        i = t.find(",", pos)
        if i < 0:
            return clean(t)
        after = t[i + 1:].lstrip()
        segment = after.split(",")[0]
        if LEGAL.match(after):
            pos = i + 1
            continue
        if not re.search(r"\d", segment) and not ADDRESS_WORDS.search(segment) and UNIT_WORDS.search(segment):
            pos = i + 1
            continue
        return clean(t[:i])


def inline_aliases(line):
    """Aliases written inline in the head line: '(f.k.a., X; Y; and Z)',
    '(a.k.a., X; a.k.a. Y)', 'a.k.a. X, address' and 'aka X, address'."""
    out = []
    for m in re.finditer(r"\((?:f\.k\.a\.|a\.k\.a\.),?\s*([^()]*(?:\([^()]*\)[^()]*)*)\)", line, re.I):
        for part in re.split(r";\s*(?:and\s+)?(?:a\.k\.a\.,?\s*|f\.k\.a\.,?\s*)?|\s+and\s+(?=[A-Z'\"])", m.group(1)):
            p = clean(part)
            if p:
                out.append(p)
    m = re.search(r",?\s+(?:a\.k\.a\.?|aka|f\.k\.a\.?)\s+(?!the following|,)(.*)$", line, re.I)
    if m and not line[:m.start()].count("("):
        rest = m.group(1)
        if not re.match(r",?\s*(?:and\s+)?the following", rest, re.I):
            out.append(head_name(rest))
    return [a for a in out if a]


def parse_entity(cell):
    """(names, stated alias counts, problems) of one entity cell."""
    names, problems, stated = [], [], []
    lines = [l for l in cell.split("\n")]
    i = 0
    mode = "head"           # head | aliases | body
    expect_head = True
    affiliates = False      # inside "Affiliated entities:": every line is a name and address
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if not line:
            if mode == "aliases":
                # A blank line inside "a.k.a., the following …:" blocks is common
                # ("\n\n—X; and\n\n—Y."): aliases continue if the next non-blank line is "—".
                j = i
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and (lines[j].strip().startswith("—") or (
                        not names[1:] and len(lines[j].strip()) < 60 and not re.search(r"\d", lines[j]))):
                    continue
                mode = "body"
            continue
        if line.startswith("—"):
            if True:
                for a in re.split(r";\s*—", line.lstrip("—").strip()):
                    if a.startswith(DESCRIPTIONS):
                        problems.append(f"alias line is a description, dropped: {a[:80]}…")
                        continue
                    # An alias line may carry its own "(a.k.a., X)" or "a.k.a. X", and an address.
                    extra = inline_aliases(a)
                    p = head_name(a.split(";")[0])
                    for q in [p] + extra:
                        q = clean(q)
                        if q and len(q) <= 250:
                            names.append(q)
                        elif q:
                            problems.append(f"alias too long, dropped: {q[:80]}…")
                # "—Huawei Marine;" followed by lines "HMN Technologies;" … (no dash)
                while (affiliates and i < len(lines) and lines[i].strip()
                       and not lines[i].strip().startswith("—") and lines[i].strip().endswith((";", "; and"))
                       and len(lines[i].strip()) < 80):
                    names.append(clean(lines[i])); i += 1
                if affiliates and i < len(lines) and lines[i].strip() and not lines[i].strip().startswith("—") \
                        and len(lines[i].strip()) < 60 and not re.search(r"\d", lines[i]):
                    names.append(clean(lines[i])); i += 1
            continue
        if re.fullmatch(r"Subordinate institutions?:?", line, re.I):
            expect_head = True
            mode = "head"
            continue
        m_sub = re.match(r"Subordinate institution:?\s+(\S.*)$", line, re.I)
        if m_sub:
            line, expect_head, mode = m_sub.group(1), True, "head"
        if re.match(r"Affiliated entities:?$", line, re.I):
            affiliates, mode = True, "body"
            continue
        if re.match(r"(The following addresses|Addresses for |\(See alternate|See alternate)", line, re.I):
            mode = "body"
            continue
        if mode == "aliases" and len(line) < 100 and not re.search(r"\d", line) and not affiliates:
            # An alias on its own line without the dash ("VNIIFTRI.").
            names.append(clean(line))
            continue
        if expect_head or affiliates:
            # "<Parent> subordinate institution: <Name>, address": the entry is the
            # subordinate institution; the parent has an entry of its own.
            sub = re.split(r"\s+subordinate institution:\s*", line, flags=re.I)
            if len(sub) == 2 and sub[1].strip():
                line = sub[1]
            elif len(sub) == 2:
                expect_head, mode = True, "head"      # the name is on the next line
                continue
            n = head_name(line)
            if affiliates and not expect_head and (not n or re.match(r"^\d", n) or ADDRESS_WORDS.search(n)):
                continue        # an affiliate's address on its own line
            if n and not re.match(r"^\d", n) or (n and expect_head):
                names.append(n)
            # "a.k.a., the following one alias: Mosi Oveici. Mehrabad Airport, …"
            mm = re.search(r"the following \S+ alias(?:es)?:\s*(\S.*)$", line, re.I)
            if mm:
                # Inline list: "X; and Y. Address …" or "-X; and -Y, Address …".
                # The list ends where the address begins: stop after the piece that holds it.
                pieces = re.split(r";\s*(?:and\s*)?", mm.group(1))
                for piece in pieces:
                    piece = piece.strip().lstrip("-—").strip()
                    ended = False
                    m2 = re.search(r"\.\s*(?=\d)", piece)
                    if m2:
                        piece, ended = piece[:m2.start()], True
                    for cut in re.finditer(r"\. (?=[A-Z])", piece):
                        if not re.search(r"(?:^|\s)[A-Za-z]$", piece[:cut.start()]):
                            piece, ended = piece[:cut.start()], True
                            break
                    if re.search(r",\s*[^,]*\d", piece):
                        ended = True
                    names.append(head_name(piece))
                    if ended:
                        break
            names.extend(x for x in inline_aliases(line) if not re.search(r"the following", x, re.I))
            m = re.search(r"the following (\S+) alias", line, re.I)
            if m:
                w = m.group(1).lower()
                stated.append((n, int(w) if w.isdigit() else NUMBER_WORDS.get(w)))
            expect_head = False
            if re.search(r"(a\.k\.a\.?|and)(,)? (?:and )?the following \S+ alias(es)?[^:]*:?\s*$", line, re.I) \
                    or re.search(r"the following \S+ alias(es)?[^:]*:\s*$", line, re.I):
                mode = "aliases"
            else:
                mode = "body"
            continue
        # body text (addresses, notes): nothing to take
    raw_count = len(names)
    # de-duplicate, keep order
    seen, out = set(), []
    for n in names:
        k = n.lower()
        if k not in seen and n:
            seen.add(k)
            out.append(n)
    return out, stated, problems, raw_count


FR = re.compile(r"(\d{2,3})\s*FR\s*[\d,]+\s*[,.]?\s*(\d{1,2})/(\d{1,2})/(\d{2,4})")


def listed_on(citation):
    dates = []
    for m in FR.finditer(citation):
        vol, mo, d, y = (int(x) for x in m.groups())
        y = y + 2000 if y < 100 and y < 50 else (y + 1900 if y < 100 else y)
        if vol + 1935 != y and vol + 1936 != y:      # FR volume n is year 1935+n (1936+n for January issues of late vol.)
            report.append(f"citation year {y} does not fit volume {vol}: {citation!r}")
        dates.append(f"{y:04d}-{mo:02d}-{d:02d}")
    return min(dates) if dates else ""


def programme(req):
    r = " ".join(req.split()).lower()
    if not r:
        return "EL"
    if "when used in projects specified in § 746.8(a)(4)" in r:
        return "EL-746.8(a)(4)-PROJECTS"
    if r.startswith("for items on the ccl"):
        return "EL-CCL-AND-SUPP7"
    if re.match(r"^(for )?all items subject to the ear", r):
        if re.search(r"\bexcept\b|apart from", r):
            return "EL-ALL-ITEMS-WITH-EXCEPTIONS"
        return "EL-ALL-ITEMS"
    return "EL-OTHER"


def main():
    rows = list(csv.DictReader(open(SRC, encoding="utf-8")))
    entries = []          # [country, cell text, requirement, policy, citation, footnotes, first source line]
    for n, r in enumerate(rows, start=2):
        if r["continues_previous_row"] == "yes":
            entries[-1][1] += "\n" + r["entity"]
            entries[-1][6].append(n)
            continue
        entries.append([r["country"], r["entity"], r["license_requirement"], r["license_review_policy"],
                        r["federal_register_citation"], r["footnote_refs"], [n]])
    out = []
    refs = collections.Counter()
    kinds = collections.Counter()
    dropped = []
    n_aliases = 0
    for country, cell, req, pol, cit, fns, src_lines in entries:
        iso = COUNTRY.get(country)
        if iso is None:
            dropped.append(f"line {src_lines[0]}: country {country!r} has no ISO code")
            continue
        names, stated, problems, raw_count = parse_entity(cell)
        for p in problems:
            report.append(f"line {src_lines[0]}: {p}")
        if not names:
            dropped.append(f"line {src_lines[0]}: no name could be read: {cell[:100]!r}")
            continue
        primary = names[0]
        if re.fullmatch(r"Address \d+", primary):
            # Address-only entries (89 FR 51652 and later): an address, not a party
            # name; a name screen cannot use them.
            dropped.append(f"line {src_lines[0]}: address-only entry {primary!r} ({country}): "
                           + " ".join(cell.split())[:90])
            continue
        # Without a trailing parenthesised acronym, as an alias.
        extra = []
        for nm in names:
            m = re.fullmatch(r"(.{4,}?)\s*\(([A-Z0-9&\-\. ]{2,15})\)", nm)
            if m:
                extra.append(m.group(1).strip())
        for e in extra:
            if e.lower() not in {x.lower() for x in names}:
                names.append(e)
        for nm, k in stated:
            if k is None:
                report.append(f"line {src_lines[0]}: alias count word not read for {nm!r}")
        total_stated = sum(k for _, k in stated if k)
        got = raw_count - 1
        if stated and got < total_stated:
            report.append(f"line {src_lines[0]}: {primary!r}: states {total_stated} aliases, {got} other names read")
        for nm in names:
            if len(nm) > 150 or re.search(r"\b(Road|Street|Floor|Avenue|Building|P\.O\. Box)\b.*\d", nm):
                report.append(f"line {src_lines[0]}: doubtful name (address-like or long): {nm[:120]!r}")
        key = unicodedata.normalize("NFKD", primary).encode("ascii", "ignore").decode().lower()
        key = re.sub(r"[^a-z0-9]+", " ", key).strip()
        ref = f"EL-{iso}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
        refs[ref] += 1
        if refs[ref] > 1:
            ref = f"{ref}-{refs[ref]}"
        lo = listed_on(cit)
        prog = programme(req)
        kinds[prog] += 1
        remarks = " | ".join(x for x in [
            "Licence requirement: " + " ".join(req.split()) if req.strip() else "",
            "Review policy: " + " ".join(pol.split()) if pol.strip() else "",
            "FR: " + " ".join(cit.split()) if cit.strip() else "",
            ("Footnotes: " + fns) if fns else "",
            f"Source rows: {','.join(map(str, src_lines))}",
        ] if x)
        for j, nm in enumerate(names):
            out.append([ref, nm, "primary" if j == 0 else "alias", "entity", iso, lo, prog, remarks if j == 0 else ""])
        n_aliases += len(names) - 1
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "name", "name_kind", "kind", "nationality", "listed_on", "programme", "remarks"])
        w.writerows(out)
    summary = [
        f"source rows: {len(rows)}; entries (continuation rows merged): {len(entries)}",
        f"entries written: {len(entries) - len(dropped)}; names: {len(out)} ({n_aliases} aliases)",
        f"programmes: {dict(kinds)}",
        f"entries without a listing date: {sum(1 for r in out if r[2] == 'primary' and not r[5])}",
        f"dropped: {len(dropped)}",
    ] + [f"  {d}" for d in dropped]
    with open(REPORT, "w", encoding="utf-8") as f:
        f.write("\n".join(summary) + "\n\nParse notes:\n" + "\n".join(report) + "\n")
    print("\n".join(summary))
    print(f"parse notes: {len(report)} (see {REPORT})")


if __name__ == "__main__":
    main()
