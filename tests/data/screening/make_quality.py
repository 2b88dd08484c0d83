#!/usr/bin/env python3
"""Build tests/data/screening/quality.csv, the labelled evaluation set for the
fuzzy name screener.

Deterministic (fixed seed, sorted inputs), python3 standard library only.
Run from the repository root:

    python3 tests/data/screening/make_quality.py

Derived rows (alias, primary-case, reorder, typo, legal-form, romanisation)
are generated from the list snapshots in seeds/lists/. Hand-written rows
(hangul, cyrillic, negatives) come from handwritten.csv beside this script.
Every row is validated before anything is written; the script exits non-zero
and writes nothing if a label is wrong (unknown reference, a note that does
not quote a name of the expected entry, a negative that is in fact listed...).

This script never looks at the screener (src/screen/): the set is meant to be
an independent judge.
"""

import csv
import io
import json
import os
import random
import re
import sys
import unicodedata
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
LISTS = {
    "UN_SC": os.path.join(ROOT, "seeds", "lists", "UN_SC.json"),
    "OFAC_SDN": os.path.join(ROOT, "seeds", "lists", "OFAC_SDN.json"),
}
HANDWRITTEN = os.path.join(HERE, "handwritten.csv")
OUTPUT = os.path.join(HERE, "quality.csv")
SEED = 20260227

COLUMNS = ["query", "type", "list", "expected", "category", "note"]
POSITIVE_CATEGORIES = [
    "alias", "primary-case", "reorder", "typo", "legal-form",
    "hangul", "cyrillic", "romanisation",
]
NEGATIVE_CATEGORIES = ["negative-person", "negative-company", "negative-generic"]
CATEGORIES = POSITIVE_CATEGORIES + NEGATIVE_CATEGORIES
DERIVED = {"alias", "primary-case", "reorder", "typo", "legal-form", "romanisation"}
TYPES = {"individual", "entity", "vessel", ""}

# How many derived rows to draw per category and pool.
QUOTAS = {
    "alias":        {"DPRK_UN": 24, "DPRK_OFAC": 24, "OTHER_UN": 8, "OTHER_OFAC": 10},
    "primary-case": {"DPRK_UN": 18, "DPRK_OFAC": 18, "OTHER_UN": 5, "OTHER_OFAC": 7},
    "reorder":      {"DPRK_UN": 16, "DPRK_OFAC": 16, "OTHER_UN": 5, "OTHER_OFAC": 8},
    "typo":         {"DPRK_UN": 26, "DPRK_OFAC": 28, "OTHER_UN": 10, "OTHER_OFAC": 16},
    "legal-form":   {"DPRK_UN": 14, "DPRK_OFAC": 18, "OTHER_UN": 3, "OTHER_OFAC": 9},
    "romanisation": {"DPRK_UN": 20, "DPRK_OFAC": 22, "OTHER_UN": 0, "OTHER_OFAC": 0},
}

# ---------------------------------------------------------------------------
# normalisation


APOSTROPHES = "'\u2019\u2018`\u02bc\u02bb"


def norm(text):
    """Case-fold, strip accents and apostrophes, punctuation to spaces."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    s = unicodedata.normalize("NFC", s).casefold()
    s = re.sub("[" + APOSTROPHES + "]", "", s)
    s = re.sub(r"[^\w]+", " ", s)
    s = s.replace("_", " ")
    return " ".join(s.split())


def tokens(text):
    return norm(text).split()


def key(text):
    """Order-free key: sorted normalised tokens."""
    return " ".join(sorted(tokens(text)))


def squash(text):
    """Normalised text without any spaces (spacing/hyphenation-insensitive)."""
    return norm(text).replace(" ", "")


LEGAL_CANON = {
    "corporation": "corp", "corp": "corp",
    "company": "co", "co": "co",
    "limited": "ltd", "ltd": "ltd",
    "llc": "llc", "incorporated": "inc", "inc": "inc",
    "private": "pte", "pte": "pte",
    "jsc": "jsc",
}


def legal_key(text):
    toks = tokens(text)
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if toks[i:i + 3] == ["limited", "liability", "company"]:
            out.append("llc")
            i += 3
            continue
        if toks[i:i + 3] == ["joint", "stock", "company"]:
            out.append("jsc")
            i += 3
            continue
        if toks[i:i + 3] == ["l", "l", "c"]:
            out.append("llc")
            i += 3
            continue
        out.append(LEGAL_CANON.get(t, t))
        i += 1
    return " ".join(out)


def levenshtein(a, b):
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def osa_distance(a, b):
    """Optimal string alignment distance: an adjacent swap counts as one edit."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def strip_apos(text):
    return re.sub("[" + APOSTROPHES + "]", "", text)


# ---------------------------------------------------------------------------
# loading


class ListData:
    def __init__(self, name, path):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        self.name = name
        self.fingerprint = doc["fingerprint"]
        self.published = doc["published"]
        self.entries = sorted(doc["entries"], key=lambda e: natural(e["reference"]))
        self.by_ref = {e["reference"]: e for e in self.entries}
        self.by_key = defaultdict(set)      # sorted-token key -> refs (non-weak names)
        self.by_norm = defaultdict(set)     # norm -> refs (all names)
        self.by_legal = defaultdict(set)    # legal-form canonical key -> refs
        self.by_token = defaultdict(set)    # token -> refs
        for e in self.entries:
            ref = e["reference"]
            for n in e["names"]:
                self.by_norm[norm(n["text"])].add(ref)
                if n["quality"] != "weak":
                    self.by_key[key(n["text"])].add(ref)
                    self.by_legal[legal_key(n["text"])].add(ref)
                for t in tokens(n["text"]):
                    self.by_token[t].add(ref)

    def names(self, ref, weak=False):
        return [n["text"] for n in self.by_ref[ref]["names"]
                if weak or n["quality"] != "weak"]


def natural(ref):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ref)]


# ---------------------------------------------------------------------------
# pools

OTHER_UN_PROGRAMMES = {"Iran", "Al-Qaida", "Taliban"}
OTHER_OFAC_FAMILIES = [
    ("iran", lambda p: p.startswith("IRAN") or p in ("IRGC", "IFSR")),
    ("russia", lambda p: p.startswith("UKRAINE") or p in (
        "BELARUS", "RUSSIA-EO14024", "CAATSA - RUSSIA", "MAGNIT")),
    ("sdgt", lambda p: p == "SDGT"),
    ("narcotics", lambda p: p in ("SDNT", "SDNTK")),
]


def is_dprk(lst, e):
    if lst.name == "UN_SC":
        return e["reference"][:3] in ("KPi", "KPe")
    return any("DPRK" in p for p in e["programmes"])


def family(lst, e):
    if lst.name == "UN_SC":
        for p in e["programmes"]:
            if p in OTHER_UN_PROGRAMMES:
                return p.lower()
        return None
    fams = [name for name, pred in OTHER_OFAC_FAMILIES
            if any(pred(p) for p in e["programmes"])]
    return fams[0] if fams else None


def pool_of(lst, e):
    if e["kind"] not in ("individual", "entity", "vessel"):
        return None
    if len(lst.by_key[key(e["names"][0]["text"])]) > 1:
        return None     # homonyms (e.g. two different KIM, Yong Chol): no fair top match
    if is_dprk(lst, e):
        return "DPRK_UN" if lst.name == "UN_SC" else "DPRK_OFAC"
    if family(lst, e) is None:
        return None
    return "OTHER_UN" if lst.name == "UN_SC" else "OTHER_OFAC"


KOREAN_SURNAMES = {
    "kim", "ri", "pak", "park", "choe", "jong", "chong", "cho", "jo", "kang",
    "han", "hwang", "mun", "paek", "pae", "ko", "ku", "ryu", "yu", "sin", "son",
    "jang", "chang", "jon", "yun", "min", "o", "ho", "hyon", "ra", "yon", "chu",
    "ju", "kil", "kwak", "ryom", "ryang", "cha", "pang", "ji", "chi",
}
NON_KOREAN_NATIONALITIES = {"China", "Taiwan", "Turkey"}


def is_korean_person(lst, e):
    if e["kind"] != "individual" or not is_dprk(lst, e):
        return False
    if set(e.get("nationalities") or []) & NON_KOREAN_NATIONALITIES:
        return False
    sur, given = split_person(e["names"][0]["text"], lst)
    return sur.lower().replace("'", "") in KOREAN_SURNAMES and len(given) >= 1


def split_person(text, lst):
    """(surname, [given tokens]) of a person's name as written in the list.

    OFAC writes 'SURNAME, Given Names'; UN Korean names are 'SURNAME GIVEN'.
    Given-name tokens keep their hyphens ('Ho-jin' stays one token)."""
    t = text.strip()
    if "," in t:
        sur, given = t.split(",", 1)
        return sur.strip(), given.split()
    parts = t.split()
    return parts[0], parts[1:]


# ---------------------------------------------------------------------------
# casing helpers

ACRONYM_KEEP = {"pjs", "pjsc", "jv", "kpa", "llc", "ltd", "pte", "sa", "sdn", "bhd", "jsc", "ojsc",
                "oao", "ooo", "dprk", "usa", "uk", "hk", "ii", "iii"}


def title_word(w):
    if w.lower() in ACRONYM_KEEP or (len(w) <= 3 and w.isupper() and
                                     not re.search("[AEIOUY]", w)):
        return w.upper()
    out = []
    start = True
    for c in w:
        if c.isalpha():
            out.append(c.upper() if start else c.lower())
            start = False
        else:
            out.append(c)
            if c in "-(/":
                start = True
    return "".join(out)


def title(text):
    return " ".join(title_word(w) for w in text.split(" "))


def korean_given(given_tokens, style):
    """Join Korean given-name syllables: style 'hyphen' -> 'Su-yong',
    'space' -> 'Su Yong'."""
    syl = []
    for g in given_tokens:
        syl.extend(p for p in g.split("-") if p)
    syl = [s.lower() for s in syl]
    if style == "hyphen":
        return "-".join(syl).capitalize()
    return " ".join(s.capitalize() for s in syl)


# ---------------------------------------------------------------------------
# transformations


def alias_candidates(lst, e):
    out = []
    primary_norm = norm(e["names"][0]["text"])
    seen = set()
    for n in e["names"][1:]:
        text = n["text"]
        if n["quality"] != "strong" or n.get("script") not in (None, "Hani"):
            continue
        if ";" in text or re.search(r"\((?:KP|kp)[eEiI]\.\d+\)", text):
            continue
        if "original script" in text or "(" in text:
            continue
        nn = norm(text)
        if nn == primary_norm or nn in seen:
            continue
        toks = nn.split()
        letters = len(nn.replace(" ", ""))
        if n.get("script") == "Hani":
            if letters < 4:
                continue
        elif len(toks) < 2 and letters < 7:
            continue
        elif letters < 8:
            continue
        if e["kind"] == "individual" and len(toks) < 2:
            continue
        if lst.by_key[key(text)] != {e["reference"]}:
            continue
        seen.add(nn)
        out.append(text)
    return out


def make_alias(lst, e, rng):
    cands = alias_candidates(lst, e)
    if not cands:
        return None
    text = rng.choice(cands)
    style = rng.choice(["verbatim", "title", "upper"]) if has_latin(text) else "verbatim"
    if style == "title":
        q = title(text)
    elif style == "upper":
        q = text.upper()
    else:
        q = text
    how = "verbatim" if q == text else "case changed"
    return q, 'from alias "%s" (%s)' % (text, how)


def has_latin(text):
    return bool(re.search("[A-Za-z]", text))


def make_primary_case(lst, e, rng):
    text = e["names"][0]["text"]
    if "(" in text or not has_latin(text):
        return None
    if lst.by_key[key(text)] != {e["reference"]}:
        return None
    kind = e["kind"]
    options = []
    if kind == "individual":
        sur, given = split_person(text, lst)
        if not given:
            return None
        if is_korean_person(lst, e):
            # Kim Jong-un style, the way the press writes it
            options.append("%s %s" % (title_word(strip_apos(sur)),
                                      korean_given([strip_apos(g) for g in given],
                                                   "hyphen")))
            options.append("%s %s" % (title_word(sur), " ".join(title_word(g) for g in given)))
            options.append(("%s %s" % (sur, " ".join(given))).lower())
        elif "," in text:
            options.append("%s %s" % (title(sur), " ".join(title_word(g) for g in given)))
            options.append(("%s, %s" % (sur, " ".join(given))).upper())
            options.append(("%s %s" % (sur, " ".join(given))).lower())
        else:
            options.append(title(text))
            options.append(text.lower())
    else:
        options.append(title(text))
        options.append(text.lower())
        if "-" in text:
            options.append(title(text.replace("-", " ")))
        if "." in text or "," in text:
            options.append(title(re.sub(r"[.,]", "", text)))
    existing = set(lst.names(e["reference"], weak=True))
    options = [o for o in options if o not in existing]
    # must be the primary up to case / punctuation / spacing, and not an alias
    good = []
    for o in options:
        if squash(o) != squash(text):
            continue
        other_alias = any(squash(o) == squash(n) for n in lst.names(e["reference"])[1:])
        if other_alias:
            continue
        good.append(o)
    if not good:
        return None
    q = rng.choice(good)
    return q, 'from primary "%s"' % text


ARABIC_PARTICLES = {"bin", "ben", "ibn", "al", "abu", "abd", "abdul", "el", "bint",
                    "abou", "ould", "haji", "mullah", "maulavi", "qari", "sheikh"}


def make_reorder(lst, e, rng):
    if e["kind"] != "individual":
        return None
    text = e["names"][0]["text"]
    if "(" in text or not has_latin(text):
        return None
    if lst.by_key[key(text)] != {e["reference"]}:
        return None
    sur, given = split_person(text, lst)
    if not given:
        return None
    korean = is_korean_person(lst, e)
    if korean:
        syl = [p for g in given for p in g.split("-") if p]
        if len(syl) < 2:
            return None    # 'Jin Ryu', 'Hwi Choe': too short to be a fair test
        style = rng.choice(["space", "hyphen"])
        q = "%s %s" % (korean_given([strip_apos(g) for g in given], style),
                       title_word(strip_apos(sur)))
        note = 'from primary "%s" (given name first)' % text
    elif "," in text:
        q = "%s %s" % (" ".join(title_word(g) for g in given), title(sur))
        note = 'from primary "%s" (given names first, surname last)' % text
    else:
        toks = text.split()
        low = [t.lower().strip("-") for t in toks]
        if not (2 <= len(toks) <= 3) or any(t in ARABIC_PARTICLES or t.startswith("al-")
                                            for t in low):
            return None
        q = "%s %s" % (title_word(toks[-1]), " ".join(title_word(t) for t in toks[:-1]))
        note = 'from primary "%s" (surname moved first)' % text
    if norm(q) == norm(text):
        return None
    if any(norm(q) == norm(n) for n in lst.names(e["reference"], weak=True)):
        return None
    if lst.by_key[key(q)] != {e["reference"]}:
        return None
    return q, note


# --- typos ---------------------------------------------------------------

QWERTY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(c):
    lc = c.lower()
    for r, row in enumerate(QWERTY_ROWS):
        i = row.find(lc)
        if i < 0:
            continue
        out = set()
        for dr in (-1, 0, 1):
            rr = r + dr
            if 0 <= rr < len(QWERTY_ROWS):
                for di in (-1, 0, 1):
                    j = i + di
                    if 0 <= j < len(QWERTY_ROWS[rr]) and (dr, di) != (0, 0):
                        out.add(QWERTY_ROWS[rr][j])
        return sorted(out)
    return []


LEGAL_WORDS = {"corporation", "company", "limited", "incorporated", "corp", "ltd", "llc"}
GENERIC_WORDS = {
    "korea", "korean", "trading", "trade", "general", "international", "shipping",
    "development", "industry", "industrial", "industries", "bank", "banking",
    "commercial", "management", "technology", "company", "corporation", "group",
    "ministry", "department", "national", "committee", "bureau", "import", "export",
    "joint", "venture", "academy", "sciences", "science", "credit", "foreign",
    "islamic", "republic", "organization", "movement", "investment", "services",
    "construction", "engineering", "machinery", "economic", "economics", "central",
    "military", "security", "people", "peoples", "state", "enterprise", "holding",
    "holdings", "limited", "marine", "maritime", "petrochemical", "insurance",
}


def apply_edit(word, op, i, rng):
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i + 1] + word[i] + word[i + 1:]
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "sub":
        ns = neighbours(word[i])
        if not ns:
            return None
        c = rng.choice(ns)
        c = c.upper() if word[i].isupper() else c
        return word[:i] + c + word[i + 1:]
    raise ValueError(op)


def typo_word(word, rng, edits):
    done = []
    w = word
    used = set()
    for _ in range(edits):
        for _attempt in range(20):
            op = rng.choice(["drop", "double", "swap", "sub"])
            if op in done:
                continue    # two errors in one word: of two different kinds
            i = rng.randrange(1, len(w) - 1)
            if any(abs(i - u) < 3 for u in used):
                continue
            if not w[i].isalpha():
                continue
            if op == "swap" and (i + 1 >= len(w) or not w[i + 1].isalpha()
                                 or w[i] == w[i + 1]):
                continue
            if op == "drop" and (w[i - 1].lower() == w[i].lower()):
                # dropping one of a doubled letter is fine but uninformative
                continue
            new = apply_edit(w, op, i, rng)
            if new is None or new.lower() == w.lower():
                continue
            w = new
            used.add(i)
            done.append(op)
            break
    return w, done


def make_typo(lst, e, rng, ctx):
    names = [e["names"][0]["text"]]
    names += [n["text"] for n in e["names"][1:] if n["quality"] == "strong"
              and n.get("script") is None]
    rng.shuffle(names)
    names.sort(key=lambda t: t != e["names"][0]["text"])   # primary first
    for text in names[:2]:
        if "(" in text or not has_latin(text):
            continue
        if lst.by_key[key(text)] != {e["reference"]}:
            continue
        words = text.split(" ")
        cand = []
        for wi, w in enumerate(words):
            core = w.strip(",.")
            if not core.isalpha() or len(core) < 6 or core.lower() in LEGAL_WORDS:
                continue
            cand.append((core.lower() in GENERIC_WORDS, wi))
        if not cand:
            continue
        distinctive = [c for c in cand if not c[0]]
        pick_from = distinctive or cand
        _, wi = rng.choice(pick_from)
        w = words[wi]
        core = w.strip(",.")
        edits = 2 if len(core) >= 9 and rng.random() < 0.25 else 1
        new_core, ops = typo_word(core, rng, edits)
        if len(ops) != edits:
            continue
        entry_tokens = {t for n in lst.names(e["reference"], weak=True) for t in tokens(n)}
        if new_core.lower() in entry_tokens:
            continue
        new_words = list(words)
        new_words[wi] = w.replace(core, new_core)
        q = " ".join(new_words)
        if rng.random() < 0.4:
            q = title(q) if "," not in q else q
        if not ctx.closest_is(lst, q, e["reference"]):
            continue
        note = 'from %s "%s" (%s in "%s")' % (
            "primary" if text == e["names"][0]["text"] else "alias", text,
            " + ".join(ops), core)
        return q, note
    return None


# --- legal forms -----------------------------------------------------------

LEGAL_RULES = [
    # (tail tokens as they appear in norm(), replacement choices)
    (["joint", "stock", "company"], ["JSC"]),
    (["limited", "liability", "company"], ["LLC"]),
    (["pte", "ltd"], ["Pte. Limited", "Private Limited"]),
    (["company", "limited"], ["Co., Ltd.", "Co. Ltd", "Co Ltd"]),
    (["co", "ltd"], ["Company Limited", "Co., Limited"]),
    (["corporation", "ltd"], ["Corp. Limited", "Corporation Limited"]),
    (["corporation"], ["Corp.", "Corp"]),
    (["corp"], ["Corporation"]),
    (["company"], ["Co.", "Co"]),
    (["co"], ["Company"]),
    (["limited"], ["Ltd", "Ltd."]),
    (["ltd"], ["Limited"]),
    (["llc"], ["Limited Liability Company"]),
    (["l", "l", "c"], ["Limited Liability Company", "LLC"]),
    (["jsc"], ["Joint Stock Company"]),
]


def word_spans(text):
    """(lower-case word without dots, start, end) for each word of text."""
    return [(m.group(0).replace(".", "").lower(), m.start(), m.end())
            for m in re.finditer(r"[A-Za-z0-9][A-Za-z0-9.]*", text)]


def make_legal_form(lst, e, rng, ctx):
    if e["kind"] != "entity":
        return None
    texts = [e["names"][0]["text"]] + [n["text"] for n in e["names"][1:]
                                        if n["quality"] == "strong" and n.get("script") is None]
    for text in texts[:3]:
        if "(" in text or not has_latin(text):
            continue
        if lst.by_key[key(text)] != {e["reference"]}:
            continue
        spans = word_spans(text)
        words = [w for w, _, _ in spans]
        for tail, repls in LEGAL_RULES:
            n = len(tail)
            if words[-n:] == tail and len(words) > n:
                first = len(words) - n
                cut_from, cut_to = spans[first][1], len(text)
            elif tail in (["corporation"], ["company"]) and tail[0] in words[1:-1]:
                first = words.index(tail[0], 1)
                cut_from, cut_to = spans[first][1], spans[first][2]
            else:
                continue
            before = text[:cut_from].rstrip(" ,")
            after = text[cut_to:]
            repl = rng.choice(repls)
            style = rng.choice(["title", "title", "upper"])
            if style == "title":
                before, after = title(before), title(after)
            q = before + " " + repl + after
            if style == "upper":
                q = q.upper()
            if legal_key(q) != legal_key(text):
                continue
            if any(norm(q) == norm(x) for x in lst.names(e["reference"], weak=True)):
                continue    # that spelling is listed: it would be an alias
            if lst.by_legal[legal_key(q)] != {e["reference"]}:
                continue
            if not ctx.closest_is(lst, q, e["reference"], legal=True):
                continue
            src = "primary" if text == e["names"][0]["text"] else "alias"
            note = 'from %s "%s" (%s -> %s)' % (src, text, " ".join(tail).upper(), repl)
            return q, note
    return None


# --- Korean romanisation ---------------------------------------------------

# surname (as written in the list, lower-case, apostrophes removed) -> other
# spellings in use outside the DPRK (South Korean usage, passports, press)
SURNAME_VARIANTS = {
    "ri": ["Lee", "Rhee", "Yi"],
    "pak": ["Park", "Bak"],
    "choe": ["Choi"],
    "chong": ["Jeong", "Jung"],
    "jong": ["Jeong", "Jung"],
    "ko": ["Koh", "Go"],
    "ku": ["Koo", "Gu"],
    "mun": ["Moon"],
    "pae": ["Bae"],
    "paek": ["Baek", "Paik"],
    "sin": ["Shin"],
    "son": ["Sohn"],
    "yun": ["Yoon"],
    "hyon": ["Hyun"],
    "o": ["Oh"],
    "ho": ["Heo", "Huh"],
    "jon": ["Jeon"],
    "yu": ["Yoo"],
    "ryu": ["Yoo", "Ryoo"],
    "ju": ["Joo"],
    "chu": ["Joo"],
    "kil": ["Gil"],
    "ryang": ["Yang"],
    "ryom": ["Yeom"],
    "pang": ["Bang"],
    "hwang": ["Whang"],
    "jang": ["Chang"],
    "chang": ["Jang"],
    "jo": ["Cho"],
    "cho": ["Jo"],
    "yon": ["Yeon"],
}
# given-name syllables whose vowel is unambiguous in the list spelling
GIVEN_VARIANTS = {
    "chol": ["cheol", "chul"],
    "hyok": ["hyuk", "hyeok"],
    "kyong": ["kyung", "gyeong"],
    "gyong": ["kyung", "gyeong"],
    "myong": ["myung", "myeong"],
    "pyong": ["byung", "byeong"],
    "byong": ["byung", "byeong"],
    "sok": ["seok", "suk"],
    "hun": ["hoon"],
    "su": ["soo"],
    "kwang": ["gwang"],
    "kuk": ["guk"],
    "kyu": ["gyu"],
    "thaek": ["taek"],
    "taek": ["taek"],
    "hui": ["hee"],
    "ryol": ["ryeol", "yeol"],
}
# syllables whose spelling with o'/u' (McCune-Reischauer breve) tells the vowel
BREVE_VARIANTS = {
    "yong": ["young", "yeong"],
    "song": ["sung", "seong"],
    "jong": ["jung", "jeong"],
    "chong": ["jung", "jeong"],
    "chon": ["jeon", "cheon"],
    "un": ["eun"],
    "son": ["seon", "sun"],
    "won": ["won"],
    "kon": ["geon", "gun"],
    "gon": ["geon", "gun"],
    "yon": ["yeon"],
    "nam": ["nam"],
}


def breve_syllables(lst, e):
    """Syllables (lower) that one of the entry's names writes with a breve
    apostrophe (o', u'), i.e. whose vowel is ŏ / ŭ."""
    out = set()
    for n in lst.names(e["reference"], weak=True):
        for part in re.split(r"[\s,\-]+", n):
            if re.search("[ou][" + APOSTROPHES + "]", part, re.I):
                plain = re.sub("[" + APOSTROPHES + "]", "", part).lower()
                out.add(plain)
                # MR aspirated consonants: ch'o'l -> chol as well
    return out


def make_romanisation(lst, e, rng, ctx):
    if not is_korean_person(lst, e):
        return None
    text = e["names"][0]["text"]
    if lst.by_key[key(text)] != {e["reference"]}:
        return None
    sur, given = split_person(text, lst)
    syl = [strip_apos(p).lower() for g in given for p in g.split("-") if p]
    if len(syl) < 2:
        return None     # 'Kim Kyu', 'Choe Hwi': too little left to compare
    breve = breve_syllables(lst, e)
    new_syl = []
    changes = []
    for s in syl:
        opts = list(GIVEN_VARIANTS.get(s, []))
        # jong/yong/song...: only with evidence of the breve vowel in the list
        if s in BREVE_VARIANTS and any(b.replace("ch", "j") == s.replace("ch", "j") or b == s
                                       for b in breve):
            opts += BREVE_VARIANTS[s]
        opts = [o for o in opts if o != s]
        if opts and rng.random() < 0.7:
            o = rng.choice(opts)
            new_syl.append(o)
            changes.append("%s->%s" % (s, o))
        else:
            new_syl.append(s)
    s_low = strip_apos(sur).lower()
    sur_opts = SURNAME_VARIANTS.get(s_low, [])
    new_sur = strip_apos(sur).capitalize()
    if sur_opts and (rng.random() < 0.75 or not changes):
        new_sur = rng.choice(sur_opts)
        if new_sur.lower() != s_low:
            changes.append("%s->%s" % (s_low, new_sur.lower()))
    if not changes:
        return None
    style = rng.choice(["hyphen", "hyphen", "space"]) if len(new_syl) > 1 else "space"
    if style == "hyphen":
        g = "-".join(new_syl).capitalize()
    else:
        g = " ".join(x.capitalize() for x in new_syl)
    q = "%s %s" % (new_sur, g)
    for n in lst.names(e["reference"], weak=True):
        if squash(n) == squash(q):
            return None   # that spelling is already listed: not a test of romanisation
    if not ctx.korean_unique(lst, q, e["reference"]):
        return None
    return q, 'from primary "%s" (%s)' % (text, ", ".join(changes))


# ---------------------------------------------------------------------------
# checks shared by generation and validation

STOPWORDS = {
    "co", "company", "corp", "corporation", "ltd", "limited", "llc", "inc",
    "incorporated", "plc", "pte", "pvt", "private", "gmbh", "sa", "ag", "bv", "nv",
    "jsc", "ojsc", "cjsc", "pjsc", "oao", "zao", "ooo", "the", "of", "and", "for",
    "de", "del", "la", "el", "y", "s", "a", "l", "c", "cv", "srl", "sarl",
}
STEMS = {
    "korean": "korea", "banking": "bank", "banks": "bank", "trading": "trade",
    "trades": "trade", "industrial": "industry", "industries": "industry",
    "shipping": "ship", "ships": "ship", "shpg": "ship", "intl": "international",
    "technologies": "technology", "electronics": "electronic",
    "mohammed": "muhammad", "mohammad": "muhammad", "mohamed": "muhammad",
    "muhammed": "muhammad", "mohamad": "muhammad", "muhamad": "muhammad",
    "ahmed": "ahmad", "ahmet": "ahmad", "hussein": "husayn", "hussain": "husayn",
    "husain": "husayn", "hussien": "husayn", "hasan": "hassan", "hasen": "hassan",
    "abdallah": "abdullah", "abdulla": "abdullah", "omar": "umar", "yousef": "yusuf",
    "youssef": "yusuf", "yusef": "yusuf", "khaled": "khalid", "mahmood": "mahmoud",
    "mahmud": "mahmoud", "ibrahim": "ibrahim", "ebrahim": "ibrahim", "aly": "ali",
    "sergey": "sergei", "sergiy": "sergei", "serhiy": "sergei", "dmitry": "dmitri",
    "dmitriy": "dmitri", "alexei": "aleksei", "alexey": "aleksei", "aleksey": "aleksei",
    "alexander": "aleksandr", "alexandr": "aleksandr", "yevgeny": "evgeni",
    "evgeny": "evgeni", "yevgeniy": "evgeni", "andrey": "andrei", "yuri": "yury",
    "yuriy": "yury", "elena": "yelena", "natalia": "natalya", "nataliya": "natalya",
}
KOREAN_CANON = {
    "lee": "ri", "rhee": "ri", "yi": "ri", "li": "ri", "rhie": "ri", "i": "ri",
    "park": "pak", "bak": "pak", "bahk": "pak", "choi": "choe", "chwe": "choe",
    "jung": "jong", "jeong": "jong", "chung": "jong", "chong": "jong",
    "koh": "ko", "go": "ko", "koo": "ku", "gu": "ku", "moon": "mun",
    "bae": "pae", "baek": "paek", "paik": "paek", "shin": "sin", "sohn": "son",
    "yoon": "yun", "hyun": "hyon", "oh": "o", "heo": "ho", "huh": "ho",
    "jeon": "jon", "chun": "jon", "yoo": "yu", "ryoo": "ryu", "joo": "ju",
    "gil": "kil", "yang": "ryang", "yeom": "ryom", "bang": "pang", "whang": "hwang",
    "jang": "chang", "jo": "cho", "gim": "kim", "gang": "kang",
}


def stem(t):
    t = STEMS.get(t, t)
    if len(t) > 4 and t.endswith("s") and not t.endswith("ss"):
        t = t[:-1]
    return t


def sig_tokens(text):
    return {stem(t) for t in re.split(r"[\s\-]+", norm(text).replace(" ", " "))
            for t in [t] if t and t not in STOPWORDS}


def korean_syllable_canon(s):
    s = s.lower()
    s = s.replace("eo", "o").replace("eu", "u").replace("oo", "u").replace("ee", "i")
    s = s.replace("ou", "u")
    s = re.sub(r"^g", "k", s)
    s = re.sub(r"^b", "p", s)
    s = re.sub(r"^d", "t", s)
    s = re.sub(r"^j", "ch", s)
    s = s.replace("young", "yong")
    # o/u before a final l/n/ng is ŏ/u/o in one spelling or another: chul/chol,
    # jung/jong, sung/song, jun/jon
    s = re.sub(r"u(?=(?:l|n|ng)$)", "o", s)
    s = s.replace("wh", "hw")
    return s


def korean_key(text):
    """Canonical Korean-name key (romanisation-insensitive, order-free)."""
    toks = [t for t in re.split(r"[\s,\-]+", norm_keep_hyphen(text)) if t]
    out = []
    for i, t in enumerate(toks):
        t = KOREAN_CANON.get(t, t) if i == 0 or t in KOREAN_CANON else t
        out.append(korean_syllable_canon(t))
    return " ".join(sorted(out))


def norm_keep_hyphen(text):
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").casefold()
    s = re.sub("[" + APOSTROPHES + "]", "", s)
    s = re.sub(r"[^\w\-]+", " ", s)
    return " ".join(s.split())


class Context:
    def __init__(self, lists):
        self.lists = lists
        self._korean = {}

    def korean_index(self, lst):
        if lst.name not in self._korean:
            idx = defaultdict(set)
            for e in lst.entries:
                if e["kind"] != "individual":
                    continue
                for n in lst.names(e["reference"], weak=True):
                    idx[korean_key(n)].add(e["reference"])
            self._korean[lst.name] = idx
        return self._korean[lst.name]

    def korean_unique(self, lst, q, ref):
        idx = self.korean_index(lst)
        return idx.get(korean_key(q), set()) == {ref}

    def closest_is(self, lst, q, ref, legal=False):
        """True if the expected entry is strictly the nearest (edit distance on
        normalised text) among all entries sharing a token with the query."""
        f = legal_key if legal else norm
        qn = f(q)
        cands = set()
        for t in tokens(q):
            if t in STOPWORDS:
                continue
            refs = lst.by_token.get(t, set())
            if len(refs) > 400:
                continue
            cands |= refs
        cands.add(ref)
        best_self = min(levenshtein(qn, f(n)) for n in lst.names(ref, weak=True))
        for r in cands:
            if r == ref:
                continue
            for n in lst.names(r, weak=True):
                if abs(len(f(n)) - len(qn)) >= best_self:
                    continue
                if levenshtein(qn, f(n)) <= best_self:
                    return False
        return True

    def name_table(self):
        if not hasattr(self, "_names"):
            table = []
            for lst in self.lists.values():
                for e in lst.entries:
                    for n in lst.names(e["reference"], weak=True):
                        kor = (set(korean_key(n).split())
                               if e["kind"] == "individual" else None)
                        table.append((lst.name, e["reference"], n, key(n), sig_tokens(n), kor,
                                      e["kind"]))
            self._names = table
        return self._names

    def negative_conflict(self, q, person):
        """Return (list, ref, name, why) if q is, or is too close to, a listed name."""
        qn = norm(q)
        qk = key(q)
        qsig = sig_tokens(q)
        qkor = set(korean_key(q).split()) if person else None
        for lst in self.lists.values():
            if qn in lst.by_norm:
                r = sorted(lst.by_norm[qn])[0]
                return lst.name, r, q, "exact name"
        for lname, ref, n, nk, nsig, nkor, kind in self.name_table():
            if nk == qk:
                return lname, ref, n, "same tokens"
            if qsig and qsig <= nsig:
                return lname, ref, n, "all significant words in one name"
            if person and nkor is not None and qkor <= nkor:
                return lname, ref, n, "romanisation variant"
            if person and kind == "individual" and len(nsig) >= 2 and nsig <= qsig:
                return lname, ref, n, "a listed person's full name is inside the query"
        return None


# ---------------------------------------------------------------------------
# generation


def generate(lists, rng, ctx):
    rows = []
    makers = {
        "alias": lambda l, e: make_alias(l, e, rng),
        "primary-case": lambda l, e: make_primary_case(l, e, rng),
        "reorder": lambda l, e: make_reorder(l, e, rng),
        "typo": lambda l, e: make_typo(l, e, rng, ctx),
        "legal-form": lambda l, e: make_legal_form(l, e, rng, ctx),
        "romanisation": lambda l, e: make_romanisation(l, e, rng, ctx),
    }
    pools = defaultdict(list)
    for lname in sorted(lists):
        lst = lists[lname]
        for e in lst.entries:
            p = pool_of(lst, e)
            if p:
                pools[p].append((lst, e))
    seen = set()
    for cat in ["alias", "primary-case", "reorder", "typo", "legal-form", "romanisation"]:
        for pool in ["DPRK_UN", "DPRK_OFAC", "OTHER_UN", "OTHER_OFAC"]:
            want = QUOTAS[cat][pool]
            if not want:
                continue
            cands = list(pools[pool])
            rng.shuffle(cands)
            if pool.startswith("OTHER"):
                cands = interleave_families(cands)
            got = 0
            for lst, e in cands:
                if got >= want:
                    break
                res = makers[cat](lst, e)
                if not res:
                    continue
                q, note = res
                k = (norm(q), lst.name)
                if k in seen:
                    continue
                seen.add(k)
                rows.append({
                    "query": q, "type": e["kind"], "list": lst.name,
                    "expected": e["reference"], "category": cat, "note": note,
                })
                got += 1
            if got < want:
                print("warning: %s/%s: only %d of %d" % (cat, pool, got, want),
                      file=sys.stderr)
    return rows


def interleave_families(cands):
    by = defaultdict(list)
    order = []
    for lst, e in cands:
        f = family(lst, e)
        if f not in by:
            order.append(f)
        by[f].append((lst, e))
    order.sort()
    out = []
    while any(by[f] for f in order):
        for f in order:
            if by[f]:
                out.append(by[f].pop(0))
    return out


# ---------------------------------------------------------------------------
# validation


def validate(rows, lists, ctx):
    errors = []
    seen = set()
    for i, r in enumerate(rows):
        where = "row %d (%s %r)" % (i + 1, r["category"], r["query"])
        if set(r) != set(COLUMNS):
            errors.append("%s: bad columns" % where)
            continue
        if r["category"] not in CATEGORIES:
            errors.append("%s: unknown category" % where)
        if r["type"] not in TYPES:
            errors.append("%s: bad type %r" % (where, r["type"]))
        if not r["query"].strip() or r["query"] != r["query"].strip():
            errors.append("%s: empty or padded query" % where)
        k = (norm(r["query"]), r["list"], r["type"])
        if k in seen:
            errors.append("%s: duplicate query" % where)
        seen.add(k)
        if r["category"] in NEGATIVE_CATEGORIES:
            if r["list"] != "ANY" or r["expected"]:
                errors.append("%s: negatives use list ANY and no expected" % where)
                continue
            hit = ctx.negative_conflict(r["query"], r["category"] == "negative-person")
            if hit:
                errors.append("%s: negative conflicts with %s %s %r (%s)" % ((where,) + hit))
            continue
        if r["list"] not in lists:
            errors.append("%s: unknown list %r" % (where, r["list"]))
            continue
        lst = lists[r["list"]]
        refs = r["expected"].split("|")
        if not r["expected"] or any(x not in lst.by_ref for x in refs):
            errors.append("%s: unknown reference(s) %r in %s" % (where, r["expected"], lst.name))
            continue
        kinds = {lst.by_ref[x]["kind"] for x in refs}
        if r["type"] and kinds != {r["type"]}:
            errors.append("%s: type %s but entry kind %s" % (where, r["type"], kinds))
        m = re.search(r'"([^"]+)"', r["note"])
        if not m:
            errors.append("%s: note must quote the source name" % where)
            continue
        src = m.group(1)
        if not any(src in lst.names(x, weak=True) for x in refs):
            errors.append("%s: %r is not a name of %s" % (where, src, r["expected"]))
            continue
        q = r["query"]
        cat = r["category"]
        if cat == "alias" and norm(q) != norm(src):
            errors.append("%s: alias query differs from %r" % (where, src))
        if cat == "primary-case":
            if src != lst.by_ref[refs[0]]["names"][0]["text"] or squash(q) != squash(src):
                errors.append("%s: not the primary up to case/punctuation" % where)
        if cat == "reorder" and (sorted(squash_tokens(q)) != sorted(squash_tokens(src))
                                 or norm(q) == norm(src)):
            errors.append("%s: reorder must keep exactly the same tokens" % where)
        if cat == "typo":
            qt, st = tokens(q), tokens(src)
            diff = [(a, b) for a, b in zip(qt, st) if a != b]
            if len(qt) != len(st) or len(diff) != 1 or len(diff[0][1]) < 6 or \
                    osa_distance(diff[0][0], diff[0][1]) > 2:
                errors.append("%s: typo must change one token of >= 6 letters" % where)
        if cat == "legal-form" and (legal_key(q) != legal_key(src) or norm(q) == norm(src)):
            errors.append("%s: legal-form must only rewrite the legal form" % where)
        if cat in ("hangul",) and not re.search("[\uac00-\ud7a3]", q):
            errors.append("%s: hangul query has no Hangul" % where)
        if cat in ("cyrillic",) and not re.search("[\u0400-\u04ff]", q):
            errors.append("%s: cyrillic query has no Cyrillic" % where)
        if cat in ("hangul", "cyrillic", "romanisation", "typo", "legal-form", "reorder",
                   "primary-case"):
            # the query must not be verbatim another entry's name in that list
            others = lst.by_norm.get(norm(q), set()) - set(refs)
            if others:
                errors.append("%s: query is a name of other entries %s" % (where, sorted(others)))
    return errors


def squash_tokens(text):
    return [t for t in re.split(r"[\s\-]+", norm_keep_hyphen(text)) if t]


# ---------------------------------------------------------------------------
# main


def read_handwritten():
    with open(HANDWRITTEN, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            raise SystemExit("handwritten.csv: columns must be %s" % ",".join(COLUMNS))
        return [dict(r) for r in reader]


def sort_key(r):
    return (CATEGORIES.index(r["category"]), r["list"], natural(r["expected"]),
            r["query"].casefold(), r["query"])


def main():
    lists = {name: ListData(name, path) for name, path in sorted(LISTS.items())}
    rng = random.Random(SEED)
    ctx = Context(lists)
    rows = generate(lists, rng, ctx)
    hand = read_handwritten()
    bad_cat = [r for r in hand if r["category"] in DERIVED]
    if bad_cat:
        raise SystemExit("handwritten.csv: derived categories belong to the generator")
    rows.extend(hand)
    errors = validate(rows, lists, ctx)
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        raise SystemExit("%d labelling error(s); quality.csv not written" % len(errors))
    rows.sort(key=sort_key)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n",
                       quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    for r in rows:
        w.writerow(r)
    with open(OUTPUT, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    counts = defaultdict(int)
    for r in rows:
        counts[r["category"]] += 1
    print("wrote %s: %d rows" % (os.path.relpath(OUTPUT, ROOT), len(rows)))
    for c in CATEGORIES:
        print("  %-17s %d" % (c, counts[c]))


if __name__ == "__main__":
    main()
