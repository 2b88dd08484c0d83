#!/usr/bin/env python3
"""Build tests/data/screening/extended.csv and tests/data/screening/heldout.csv,
the extended labelled evaluation sets for the fuzzy name screener.

Deterministic (fixed seed, sorted inputs, no dependence on hash order),
python3 standard library only. Run from the repository root:

    python3 tests/data/screening/make_extended.py

The two files have the columns of quality.csv plus an optional last column
`imo`. They cover the classes quality.csv does not: Korean / Chinese syllables
joined or split, other romanisation systems, short-word typos, patronymics
left out, Russian transliteration variants, OFAC weak aliases, abbreviations
inside names, entries listed after July 2021, the red team's disguise classes
(invisible characters, look-alike letters, Hangul jamo, names contained in a
longer party string, digits for letters, bidi controls, vessel names with
their IMO number) and hard negatives (near names, listed vessel names with
another ship's IMO number).

extended.csv is the development part. heldout.csv is drawn from DIFFERENT
list entries (a deterministic hash of the entry reference decides which file
an entry belongs to, see `Groups`); it must not be looked at row by row while
tuning the screener, only its aggregate figures are reported.

Every row, generated or hand-written (extended-handwritten.csv), is validated
before anything is written; on any labelling error the script prints the
errors, exits non-zero and leaves both files untouched.

This script never looks at the screener (src/screen/, src/values/text.rs): the
set is meant to be an independent judge. It reuses make_quality.py (imported
as a module) for normalisation, list loading and the negative conflict checks.
"""

import csv
import hashlib
import importlib.util
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

_spec = importlib.util.spec_from_file_location("make_quality", os.path.join(HERE, "make_quality.py"))
mq = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mq)

norm, tokens, key, squash, natural = mq.norm, mq.tokens, mq.key, mq.squash, mq.natural
title, title_word, strip_apos = mq.title, mq.title_word, mq.strip_apos

LISTS = {
    "UN_SC": os.path.join(ROOT, "seeds", "lists", "UN_SC.json"),
    "OFAC_SDN": os.path.join(ROOT, "seeds", "lists", "OFAC_SDN.json"),
    "UN_1718_VESSELS": os.path.join(ROOT, "seeds", "lists", "UN_1718_VESSELS.json"),
}
OLD_OFAC = os.path.join(ROOT, "seeds", "lists", "sources", "ofac-sdn-2021-07")
HANDWRITTEN = os.path.join(HERE, "extended-handwritten.csv")
OUTPUTS = {"extended": os.path.join(HERE, "extended.csv"),
           "heldout": os.path.join(HERE, "heldout.csv")}
SEED = 20261206

COLUMNS = mq.COLUMNS + ["imo"]
POSITIVE_CATEGORIES = [
    "syllable-joined", "syllable-split", "romanisation-system", "typo-short",
    "patronymic-omitted", "transliteration", "weak-alias", "abbreviation", "list-age",
    "invisible", "look-alike", "jamo", "contained", "digits-for-letters", "bidi",
    "vessel-imo",
]
NEGATIVE_CATEGORIES = ["negative-near", "negative-imo"]
CATEGORIES = POSITIVE_CATEGORIES + NEGATIVE_CATEGORIES
HAND_CATEGORIES = {"negative-near"}      # the only category extended-handwritten.csv may use
TYPES = mq.TYPES

# rows wanted per category: (extended, heldout). heldout entries are a third of
# all entries, so where the lists run short heldout gets what its third allows.
QUOTAS = {
    "syllable-joined":     (32, 16),
    "syllable-split":      (32, 16),
    "romanisation-system": (32, 16),
    "typo-short":          (32, 16),
    "patronymic-omitted":  (32, 16),
    "transliteration":     (32, 16),
    "weak-alias":          (30, 15),
    "abbreviation":        (30, 15),
    "list-age":            (32, 16),
    "invisible":           (28, 14),
    "look-alike":          (28, 14),
    "jamo":                (24, 12),
    "contained":           (32, 16),
    "digits-for-letters":  (28, 14),
    "bidi":                (24, 12),
    "vessel-imo":          (28, 14),
    "negative-near":       (30, 15),     # generated persons; hand-written organisations come on top
    "negative-imo":        (24, 12),
}

# The red team's report (redteam-2026-12.md, C1-C4, C12) used these names in
# its examples; no row is written on an entry that has any of them.
RED_TEAM_SQUASHED = ["tanchon", "komid", "koreaminingdevelopment", "ryonbong", "greenpine",
                     "yunhojin", "minningdeyou", "billionsno18", "dalianfuels", "shenyangliaobei"]
RED_TEAM_IMO = {"9191773"}
RED_TEAM_FILLERS = ["acme", "dalian fuels", "shenyang liaobei"]


# ---------------------------------------------------------------------------
# lists, groups and the held-out split


def load_lists():
    return {name: mq.ListData(name, path) for name, path in sorted(LISTS.items())}


def red_team(e):
    if set(e.get("imo") or []) & RED_TEAM_IMO:
        return True
    for n in e["names"]:
        s = squash(n["text"])
        if any(r in s for r in RED_TEAM_SQUASHED):
            return True
    return False


class Groups:
    """Entries that are the same party in several lists (the same IMO number, or
    the same non-weak name of two or more words, or the same two or more
    significant words once legal forms and one-letter words are left out) form
    one group; the group goes
    wholly to extended.csv or wholly to heldout.csv.

    A group is held out when the SHA-256 of its first member ('LIST:reference',
    lists and references in natural order) is 0 modulo 3."""

    def __init__(self, lists):
        self.parent = {}
        by_imo = defaultdict(list)
        by_key = defaultdict(list)
        for lname in sorted(lists):
            lst = lists[lname]
            for e in lst.entries:
                gid = "%s:%s" % (lname, e["reference"])
                self.parent[gid] = gid
                for imo in e.get("imo") or []:
                    if e["kind"] == "vessel":
                        by_imo[imo].append(gid)
                for n in e["names"]:
                    if n["quality"] != "weak" and len(tokens(n["text"])) >= 2:
                        by_key[key(n["text"])].append(gid)
                        sig = sorted(t for t in mq.sig_tokens(n["text"]) if len(t) > 1)
                        if len(sig) >= 2:
                            by_key["sig:" + " ".join(sig)].append(gid)
        for members in list(by_imo.values()) + list(by_key.values()):
            for m in members[1:]:
                self.union(members[0], m)
        self.rep = {}
        comp = defaultdict(list)
        for g in self.parent:
            comp[self.find(g)].append(g)
        for members in comp.values():
            first = min(members, key=lambda g: (g.split(":")[0], natural(g.split(":", 1)[1])))
            for m in members:
                self.rep[m] = first

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra > rb:
                ra, rb = rb, ra
            self.parent[rb] = ra

    def group(self, lname, ref):
        return self.rep["%s:%s" % (lname, ref)]

    def part(self, lname, ref):
        return part_of(self.group(lname, ref))


def part_of(text):
    h = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16)
    return "heldout" if h % 3 == 0 else "extended"


# ---------------------------------------------------------------------------
# pools


def pool_of(lst, e):
    """DPRK / RUSSIA / IRAN / OTHER, the family an entry is drawn for."""
    if lst.name == "UN_1718_VESSELS":
        return "DPRK"
    if lst.name == "UN_SC":
        if e["reference"][:3] in ("KPi", "KPe"):
            return "DPRK"
        if any(p == "Iran" for p in e.get("programmes") or []):
            return "IRAN"
        return "OTHER"
    progs = e.get("programmes") or []
    if any("DPRK" in p for p in progs):
        return "DPRK"
    if any(p.startswith(("RUSSIA", "UKRAINE", "BELARUS", "CAATSA - RUSSIA", "MAGNIT"))
           for p in progs):
        return "RUSSIA"
    if any(p.startswith(("IRAN", "IRGC", "IFSR", "HRIT-IR", "CAATSA - IRAN")) for p in progs):
        return "IRAN"
    return "OTHER"


def homonym(lst, e, text):
    return len(lst.by_key[key(text)]) > 1


def latin_name(text):
    return bool(re.search("[A-Za-z]", text)) and not re.search(r"[^\x00-\x7f\u2019\u2018]", text)


def usable_names(lst, e, strong=True):
    """Primary and (if strong) strong aliases in Latin script, without
    brackets or list cross-references, not shared with another entry."""
    out = []
    for i, n in enumerate(e["names"]):
        if i > 0 and (not strong or n["quality"] != "strong"):
            continue
        t = n["text"]
        if n.get("script") or not latin_name(t) or "(" in t or ";" in t:
            continue
        if homonym(lst, e, t) or len(lst.by_norm[norm(t)]) > 1:
            continue
        out.append(t)
    return out


def same_kind_names(lst, kind):
    """[(ref, name)] over all names (weak included) of entries of one kind."""
    if not hasattr(lst, "_kind_names"):
        lst._kind_names = {}
    if kind not in lst._kind_names:
        lst._kind_names[kind] = [(e["reference"], n["text"]) for e in lst.entries
                                 if e["kind"] == kind for n in e["names"]]
    return lst._kind_names[kind]


def keyed_index(lst, kind, fn, name):
    """{fn(name): set(refs)} over the entries of one kind, cached by `name`."""
    if not hasattr(lst, "_keyed"):
        lst._keyed = {}
    k = (kind, name)
    if k not in lst._keyed:
        idx = defaultdict(set)
        for ref, text in same_kind_names(lst, kind):
            v = fn(text)
            if v:
                idx[v].add(ref)
        lst._keyed[k] = idx
    return lst._keyed[k]


def unique_under(lst, kind, fn, name, q, ref):
    """True if no entry of that kind other than ref has a name with fn(name) == fn(q)."""
    idx = keyed_index(lst, kind, fn, name)
    return idx.get(fn(q), set()) <= {ref}


def own_name(lst, e, q):
    """q is, up to case/punctuation/spacing, already one of the entry's names."""
    qs = squash(q)
    return any(squash(n["text"]) == qs for n in e["names"])


def own_norm(e, q):
    """q is, up to case and punctuation (spacing kept), one of the entry's names."""
    qn = norm(q)
    return any(norm(n["text"]) == qn for n in e["names"])


def other_entry_name(lst, e, q):
    """q is, up to case/punctuation/spacing or word order, a name of another
    entry of the same kind."""
    qs, qk = squash(q), key(q)
    ref = e["reference"]
    sq = keyed_index(lst, e["kind"], squash, "squash")
    ky = keyed_index(lst, e["kind"], key, "key")
    return bool((sq.get(qs, set()) | ky.get(qk, set())) - {ref})


# ---------------------------------------------------------------------------
# Korean: syllables, Hangul, romanisation systems

CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONG = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
        "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]

MR_INIT = {"ch'": "ㅊ", "chh": "ㅊ", "tch": "ㅉ", "kk": "ㄲ", "tt": "ㄸ", "pp": "ㅃ", "ss": "ㅆ",
           "jj": "ㅉ", "k'": "ㅋ", "t'": "ㅌ", "p'": "ㅍ", "kh": "ㅋ", "th": "ㅌ", "ph": "ㅍ",
           "ch": "ㅈ", "sh": "ㅅ", "k": "ㄱ", "g": "ㄱ", "n": "ㄴ", "t": "ㄷ", "d": "ㄷ",
           "r": "ㄹ", "l": "ㄹ", "m": "ㅁ", "p": "ㅂ", "b": "ㅂ", "s": "ㅅ", "j": "ㅈ", "h": "ㅎ",
           "": "ㅇ"}
MR_VOWEL = {"yae": "ㅒ", "wae": "ㅙ", "yo'": "ㅕ", "wo'": "ㅝ", "u'i": "ㅢ", "ae": "ㅐ",
            "ya": "ㅑ", "ye": "ㅖ", "yo": "ㅛ", "yu": "ㅠ", "wa": "ㅘ", "we": "ㅞ", "wi": "ㅟ",
            "wo": "ㅝ", "oe": "ㅚ", "ui": "ㅢ", "o'": "ㅓ", "u'": "ㅡ", "a": "ㅏ", "e": "ㅔ",
            "i": "ㅣ", "o": "ㅗ", "u": "ㅜ"}
MR_FINAL = {"ng": "ㅇ", "k": "ㄱ", "n": "ㄴ", "l": "ㄹ", "m": "ㅁ", "p": "ㅂ", "": ""}
_alt = lambda d: "|".join(re.escape(k) for k in sorted(d, key=len, reverse=True) if k)
MR_SYL = re.compile("^(%s)?(%s)(%s)?$" % (_alt(MR_INIT), _alt(MR_VOWEL), _alt(MR_FINAL)))


def compose(c, v, f=""):
    return chr(0xAC00 + (CHO.index(c) * 21 + JUNG.index(v)) * 28 + JONG.index(f))


def decompose(h):
    i = ord(h) - 0xAC00
    return CHO[i // 588], JUNG[(i % 588) // 28], JONG[i % 28]


def mr_hangul(syl):
    """Hangul syllable of one McCune-Reischauer syllable in which the breve is
    written as an apostrophe (o' = ŏ, u' = ŭ) and aspiration as an apostrophe
    after the consonant (ch' = ㅊ). None if it does not parse."""
    m = MR_SYL.match(syl)
    if not m:
        return None
    return compose(MR_INIT[m.group(1) or ""], MR_VOWEL[m.group(2)], MR_FINAL[m.group(3) or ""])


def loose(s):
    """Consonant-voicing and vowel-insensitive form of a romanised syllable, to
    align a primary name's syllable with an MR alias's syllable."""
    s = strip_apos(s).lower()
    for a, b in (("chh", "ch"), ("ph", "p"), ("th", "t"), ("kh", "k"), ("sh", "s"),
                 ("eo", "o"), ("eu", "u")):
        s = s.replace(a, b)
    return s.replace("j", "ch").translate(str.maketrans("gbdl", "kptr"))


# syllables of the lists' own (DPRK / MR without breves) spelling whose Hangul
# is not in doubt: the vowel o/u is not ambiguous, the consonant is not ㅈ/ㅊ.
UNAMBIGUOUS_SYLLABLES = {
    "chol": "철", "cheol": "철", "hyok": "혁", "kyong": "경", "gyong": "경", "myong": "명",
    "sok": "석", "hun": "훈", "su": "수", "kwang": "광", "gwang": "광", "il": "일",
    "nam": "남", "man": "만", "min": "민", "sik": "식", "hwan": "환", "hak": "학",
    "hui": "희", "hae": "해", "sam": "삼", "se": "세", "ki": "기", "gi": "기", "kyu": "규",
    "gyu": "규", "ung": "웅", "guk": "국", "kuk": "국", "ryong": "룡", "ryol": "렬",
    "hwa": "화", "bok": "복", "pok": "복", "taek": "택", "thaek": "택", "ok": "옥",
    "uk": "욱", "chan": "찬", "sang": "상", "hyon": "현", "ha": "하", "kil": "길",
    "gil": "길", "jin": "진", "kwon": "권", "won": "원", "hong": "홍", "mun": "문",
    "mu": "무", "u": "우", "ik": "익", "hye": "혜", "ja": "자", "jae": "재", "kang": "강",
    "gang": "강", "byong": "병", "phyong": "평", "ryon": "련", "hyong": "형", "hung": "흥",
    "sun": "순", "pong": "봉", "bong": "봉", "ri": "리", "je": "제", "ju": "주", "ryu": "류",
    "yu": "유", "kum": "금", "gum": "금", "han": "한", "hyang": "향", "sim": "심",
    "sin": "신", "yun": "윤", "ae": "애", "kim": "김", "pak": "박", "choe": "최",
}
# surnames as the lists write them (apostrophes stripped, lower case)
SURNAME_HANGUL = {
    "kim": "김", "ri": "리", "li": "리", "pak": "박", "park": "박", "choe": "최", "jong": "정",
    "chong": "정", "kang": "강", "jo": "조", "cho": "조", "jang": "장", "chang": "장",
    "jon": "전", "chon": "전", "han": "한", "hwang": "황", "o": "오", "yun": "윤", "sin": "신",
    "mun": "문", "ryu": "류", "yu": "유", "paek": "백", "pang": "방", "kwak": "곽",
    "ryang": "량", "ryom": "렴", "hyon": "현", "pae": "배", "ku": "구", "ko": "고",
    "ju": "주", "cha": "차", "ji": "지", "kil": "길", "ra": "라", "min": "민", "son": "손",
    "an": "안", "yon": "연", "pyon": "변", "im": "임", "kye": "계", "ryom": "렴",
}
# surname: (Revised Romanisation as it is used, [informal / South Korean usage])
SURNAME_STYLE = {
    "김": ("Kim", ["Kim"]), "리": ("Yi", ["Lee", "Rhee"]), "박": ("Bak", ["Park"]),
    "최": ("Choe", ["Choi"]), "정": ("Jeong", ["Jung", "Chung"]), "강": ("Gang", ["Kang"]),
    "조": ("Jo", ["Cho"]), "장": ("Jang", ["Chang"]), "전": ("Jeon", ["Jun", "Chun"]),
    "한": ("Han", ["Han"]), "황": ("Hwang", ["Hwang"]), "오": ("O", ["Oh"]),
    "윤": ("Yun", ["Yoon"]), "신": ("Sin", ["Shin"]), "문": ("Mun", ["Moon"]),
    "류": ("Ryu", ["Yoo", "Ryoo"]), "유": ("Yu", ["Yoo"]), "백": ("Baek", ["Paik"]),
    "방": ("Bang", ["Bang"]), "곽": ("Gwak", ["Kwak"]), "량": ("Ryang", ["Yang"]),
    "렴": ("Ryeom", ["Yeom"]), "허": ("Heo", ["Huh"]), "현": ("Hyeon", ["Hyun"]),
    "배": ("Bae", ["Bae"]), "구": ("Gu", ["Koo"]), "고": ("Go", ["Koh"]),
    "주": ("Ju", ["Joo"]), "차": ("Cha", ["Cha"]), "지": ("Ji", ["Jee"]),
    "임": ("Im", ["Lim"]), "길": ("Gil", ["Kil"]), "라": ("Ra", ["Na"]), "민": ("Min", ["Min"]),
    "손": ("Son", ["Sohn"]), "안": ("An", ["Ahn"]), "연": ("Yeon", ["Yeon"]),
    "변": ("Byeon", ["Byun"]), "계": ("Gye", ["Kye"]), "홍": ("Hong", ["Hong"]),
    "송": ("Song", ["Song"]),
}

RR_INIT = dict(zip(CHO, ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j",
                         "jj", "ch", "k", "t", "p", "h"]))
RR_VOWEL = dict(zip(JUNG, ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
                           "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"]))
RR_FINAL = {"": "", "ㄱ": "k", "ㄴ": "n", "ㄹ": "l", "ㅁ": "m", "ㅂ": "p", "ㅇ": "ng",
            "ㄷ": "t", "ㅅ": "t"}
# how South Korean passports, press and business cards commonly spell a syllable
INFORMAL = {
    "영": "young", "성": "sung", "정": "jung", "현": "hyun", "철": "chul", "석": "suk",
    "선": "sun", "연": "yeon", "원": "won", "경": "kyung", "명": "myung", "병": "byung",
    "평": "pyung", "형": "hyung", "혁": "hyuk", "준": "joon", "순": "soon", "춘": "choon",
    "수": "soo", "주": "joo", "구": "koo", "우": "woo", "희": "hee", "은": "eun", "금": "keum",
    "근": "keun", "승": "seung", "흥": "heung", "건": "gun", "권": "kwon", "범": "bum",
    "광": "kwang", "규": "kyu", "기": "ki", "길": "kil", "섭": "sub", "훈": "hoon",
    "국": "kook", "욱": "wook", "심": "shim", "신": "shin", "식": "sik", "문": "moon",
    "무": "moo", "부": "boo", "두": "doo", "덕": "duk", "련": "ryun", "렬": "ryul",
    "천": "chun", "전": "jun", "청": "chung", "조": "cho", "고": "ko", "려": "ryeo",
    "별": "byul", "설": "sul", "서": "seo", "용": "yong", "룡": "ryong", "종": "jong",
}


def rr(h):
    c, v, f = decompose(h)
    return RR_INIT[c] + RR_VOWEL[v] + RR_FINAL.get(f, "")


def informal(h):
    return INFORMAL.get(h) or rr(h)


def render_word(hangul, style):
    return "".join(rr(h) if style == "rr" else informal(h) for h in hangul)


SURNAME_CANON = {
    "lee": "ri", "rhee": "ri", "yi": "ri", "li": "ri", "i": "ri", "rhie": "ri",
    "park": "pak", "bak": "pak", "bahk": "pak", "choi": "choe", "chwe": "choe",
    "jeong": "jong", "jung": "jong", "chung": "jong", "chong": "jong",
    "gang": "kang", "jo": "cho", "jang": "chang", "jeon": "jon", "jun": "jon", "chun": "jon",
    "chon": "jon", "oh": "o", "yoon": "yun", "shin": "sin", "moon": "mun", "ryoo": "yu",
    "yoo": "yu", "ryu": "yu", "paik": "paek", "baek": "paek", "gwak": "kwak",
    "yang": "ryang", "yeom": "ryom", "heo": "ho", "huh": "ho", "hyeon": "hyon", "hyun": "hyon",
    "bae": "pae", "gu": "ku", "koo": "ku", "go": "ko", "koh": "ko", "joo": "chu", "ju": "chu",
    "jee": "ji", "chi": "ji", "lim": "im", "rim": "im", "gil": "kil", "na": "ra",
    "sohn": "son", "ahn": "an", "yeon": "yon", "byeon": "pyon", "byun": "pyon",
    "bang": "pang", "gye": "kye",
}


def rom_key(text):
    """Romanisation-insensitive key of a (Korean) name: McCune-Reischauer,
    the DPRK system, Revised Romanisation and South Korean informal spellings
    of the same name get the same key. Word order is kept."""
    toks = [t for t in re.split(r"[\s,\-]+", mq.norm_keep_hyphen(text)) if t]
    if not toks:
        return ""
    toks[0] = SURNAME_CANON.get(toks[0], toks[0])
    out = []
    for s in toks:
        s = s.replace("young", "yong")
        for a, b in (("eo", "o"), ("eu", "u"), ("oo", "u"), ("ee", "i"), ("ui", "i"),
                     ("wu", "u"), ("chh", "ch"), ("ph", "p"), ("th", "t"), ("kh", "k"),
                     ("sh", "s"), ("ou", "u")):
            s = s.replace(a, b)
        s = s.replace("j", "ch").translate(str.maketrans("gbdl", "kptr"))
        out.append(s.replace("r", "").replace("u", "o"))
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def fix_mr(text):
    t = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"' +", "'", t)


def korean_person(lst, e):
    """(surname Hangul, [given-name Hangul or None], evidence) of a North Korean
    person, from the entry's own McCune-Reischauer alias if it has one (the
    apostrophes tell the vowel and the aspiration), else from the syllables
    whose Hangul the list spelling leaves in no doubt. None if not Korean."""
    if not mq.is_korean_person(lst, e) and not (lst.name == "OFAC_SDN"
                                                and e["reference"] == "21735"):
        return None
    prim = e["names"][0]["text"]
    sur, given = mq.split_person(prim, lst)
    psyl = [s for g in given for s in strip_apos(g).lower().split("-") if s]
    psur = strip_apos(sur).lower()
    if not psyl:
        return None
    if prim.upper() in HANGUL_OVERRIDES:
        h = HANGUL_OVERRIDES[prim.upper()]
        return h[0], list(h[1:]), HANGUL_OVERRIDE_NOTE
    found = set()
    for n in e["names"]:
        t = fix_mr(n["text"])
        if "'" not in t or n.get("script"):
            continue
        s2, g2 = mq.split_person(t, lst)
        msyl = [s for g in g2 for s in g.lower().split("-") if s]
        if len(msyl) != len(psyl) or loose(s2) != loose(sur):
            continue
        if not all(loose(a) == loose(b) for a, b in zip(psyl, msyl)):
            continue
        hs = [mr_hangul(s) for s in msyl]
        hsur = mr_hangul(s2.lower()) if s2.lower() not in ("ri", "li") else "리"
        if None in hs or hsur is None:
            continue
        found.add((hsur, tuple(hs), n["text"]))
    if len({(a, b) for a, b, _ in found}) == 1:
        hsur, hs, src = sorted(found)[0]
        if src == prim:
            return hsur, list(hs), "the primary's MR spelling"
        return hsur, list(hs), 'MR alias "%s"' % src
    if found:
        return None     # the entry's MR aliases disagree
    hsur = SURNAME_HANGUL.get(psur)
    if hsur is None:
        return None
    return hsur, [UNAMBIGUOUS_SYLLABLES.get(s) for s in psyl], "list spelling"


# The MR alias "Pak To'-Ch'un" (UN KPi.050) puts a breve on To, which would
# make the name 박더춘; the man is 박도춘 (Pak To-chun), as the primary and the
# other alias "Pak Do Chun" spell him. The alias is taken as a list error.
HANGUL_OVERRIDES = {"PAK TO CHUN": "박도춘", "PAK, TO CHUN": "박도춘"}
HANGUL_OVERRIDE_NOTE = 'the primary (the MR alias "Pak To\u2019-Ch\u2019un" has a stray breve)'


# Korean words in the names of DPRK bodies and vessels, written joined in the
# lists: syllables as the list spells them, and the Hangul where it is not in
# doubt (None where the list spelling leaves the vowel or consonant open).
KOREAN_WORDS = {
    "achim": ("a chim", "아침"), "ansan": ("an san", "안산"), "chilsong": ("chil song", "칠성"),
    "chinyong": ("chin yong", None), "cholhyon": ("chol hyon", "철현"),
    "cholsan": ("chol san", "철산"), "chongbong": ("chong bong", "청봉"),
    "chongchongang": ("chong chon gang", "청천강"), "chonmyong": ("chon myong", "천명"),
    "daebong": ("dae bong", "대봉"), "daedong": ("dae dong", "대동"),
    "daesong": ("dae song", "대성"), "daewon": ("dae won", "대원"),
    "dongbang": ("dong bang", "동방"), "gooryong": ("goo ryong", "구룡"),
    "haegumgang": ("hae gum gang", "해금강"), "haejin": ("hae jin", "해진"),
    "hapjanggang": ("hap jang gang", "합장강"), "heungjin": ("heung jin", "흥진"),
    "hoeryong": ("hoe ryong", "회령"), "hwaryo": ("hwa ryo", "화려"),
    "hwasong": ("hwa song", "화성"), "hyoksin": ("hyok sin", "혁신"),
    "ilsim": ("il sim", "일심"), "jinmyong": ("jin myong", "진명"),
    "jinsong": ("jin song", None), "kangbong": ("kang bong", "강봉"),
    "koryo": ("ko ryo", "고려"), "kumbyol": ("kum byol", "금별"),
    "kumgang": ("kum gang", "금강"), "kumryong": ("kum ryong", "금룡"),
    "kumsan": ("kum san", "금산"), "kumunsan": ("kum un san", None),
    "kuryonggang": ("ku ryong gang", "구룡강"), "kwangson": ("kwang son", "광선"),
    "kwangsong": ("kwang song", "광성"), "mansudae": ("man su dae", "만수대"),
    "mirim": ("mi rim", "미림"), "myohyang": ("myo hyang", "묘향"),
    "myongdok": ("myong dok", "명덕"), "namchongang": ("nam chon gang", "남천강"),
    "namgang": ("nam gang", "남강"), "paekho": ("paek ho", "백호"),
    "paekma": ("paek ma", "백마"), "paeksol": ("paek sol", "백설"),
    "phyongchon": ("phyong chon", "평천"), "pochon": ("po chon", "보천"),
    "pugang": ("pu gang", "부강"), "pyongjin": ("pyong jin", None),
    "ryonha": ("ryon ha", "련하"), "ryugyong": ("ryu gyong", "류경"),
    "rungrado": ("rung ra do", "릉라도"), "ryongak": ("ryong ak", "룡악"),
    "samilpo": ("sam il po", "삼일포"), "samjong": ("sam jong", None),
    "samma": ("sam ma", None), "singwang": ("sin gwang", "신광"),
    "songi": ("song i", None), "songwon": ("song won", None),
    "taesong": ("tae song", "대성"), "thaephyongsan": ("thae phyong san", "태평산"),
    "tonghung": ("tong hung", "통흥"), "tosong": ("to song", "토성"),
    "unpha": ("un pha", "은파"), "yujong": ("yu jong", None),
    "yusong": ("yu song", "유성"), "yongjin": ("yong jin", None),
    "sukbakso": ("suk bak so", "숙박소"), "kyongyong": ("kyong yong", "경영"),
    "jindallae": ("jin dal lae", "진달래"), "tongbang": ("tong bang", "동방"),
    "unhaeng": ("un haeng", "은행"), "muyok": ("mu yok", "무역"), "hoesa": ("hoe sa", "회사"),
    "choson": ("cho son", "조선"), "joson": ("jo son", "조선"), "chosun": ("cho sun", "조선"),
    "kukpang": ("kuk pang", "국방"), "chayon": ("cha yon", "자연"), "buyon": ("bu yon", None),
    "ungum": ("un gum", None), "chongsong": ("chong song", None), "pukchong": ("puk chong", "북청"),
    "saebyol": ("sae byol", "새별"), "songjin": ("song jin", "성진"), "hongwon": ("hong won", "홍원"),
    "huichon": ("hui chon", "희천"), "ranam": ("ra nam", "라남"), "rimyongsu": ("ri myong su", "리명수"),
    "kumsang": ("kum sang", "금상"), "lyongaksan": ("lyong ak san", "룡악산"),
    "haeyang": ("hae yang", "해양"), "ryonhwa": ("ryon hwa", None), "namhung": ("nam hung", "남흥"),
    "unsan": ("un san", "운산"), "hesong": ("he song", None), "amroggang": ("am rog gang", None),
    "changgwang": ("chang gwang", "창광"), "tangun": ("tan gun", "단군"),
    "kwahakwon": ("kwa hak won", None), "unjong": ("un jong", None), "millim": ("mil lim", None),
    "unsong": ("un song", None),
}
# RR of these words would show a sound change (금룡 -> Geumnyong); only the
# informal spelling is used for them.
RR_SKIP = {"금룡", "룡악", "과학원"}


# Chinese: pinyin syllables
PINYIN = set("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can
cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan
chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia
dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo
fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai
han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao
jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai
kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu
long lou lu luan lun luo ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo
mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan
nuo o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang
qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui
run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu
shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng
ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian
xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu
yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi
zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
""".split())
# Wade-Giles / Cantonese / Hokkien syllables seen in the lists' Chinese names
OTHER_CHINESE = {"hsiang", "tsang", "yung", "hsin", "hsu", "tsai", "tse", "tsui", "kwok",
                 "yuk", "tung", "kwan", "wai", "chih", "hsiu", "shih", "jui"}
CHINESE_PLACES = {
    "dandong", "dalian", "shanghai", "beijing", "weihai", "qingdao", "shenzhen", "guangzhou",
    "tianjin", "ningbo", "xiamen", "yanbian", "yanji", "liaoning", "fujian", "quanzhou",
    "yancheng", "chongqing", "zhuhai", "hangzhou", "nanjing", "jiangsu", "zhejiang", "shandong",
    "hebei", "henan", "hubei", "hunan", "sichuan", "yunnan", "guangdong", "guangxi", "jilin",
    "harbin", "xinjiang", "dongguan", "foshan", "wuhan", "changsha", "kunming", "hainan",
    "shenyang", "hunchun", "suzhou", "wuxi", "changzhou", "yiwu", "jinan", "zhengzhou",
    "chengdu", "xian", "pudong", "taiyuan", "hefei", "nanchang", "fuzhou", "shantou", "zhongshan",
    "jiangmen", "huizhou", "zhanjiang", "yantai", "rizhao", "lianyungang", "nantong",
    "zhoushan", "taizhou", "wenzhou", "jiaxing", "shaoxing", "jinhua", "putian", "pingtan",
    "zhangjiagang", "jiangyin", "kunshan", "changshu", "hongkong", "macau", "dongying",
    "binzhou", "tangshan", "qinhuangdao", "baoding", "shijiazhuang", "handan", "cangzhou",
    "langfang", "huludao", "jinzhou", "yingkou", "anshan", "fushun", "benxi", "tonghua",
    "baishan", "yanjiao", "guangxi", "ningxia", "shaanxi", "shanxi", "anhui", "jiangxi",
    "heilongjiang", "neimenggu", "qinghai", "gansu", "xizang", "guizhou",
}


def pinyin_splits(word, limit=4):
    """All ways to cut a lower-case word into 2..limit pinyin syllables; a
    syllable that starts with a vowel may only come first (otherwise pinyin
    writes an apostrophe)."""
    out = []

    def rec(rest, acc):
        if len(acc) > limit:
            return
        if not rest:
            if len(acc) >= 2:
                out.append(list(acc))
            return
        for n in range(1, min(6, len(rest)) + 1):
            s = rest[:n]
            if s in PINYIN and (not acc or s[0] not in "aoe"):
                rec(rest[n:], acc + [s])
    rec(word, [])
    return out


KOREAN_SYL = re.compile(
    r"^(?:kk|tt|pp|ss|jj|ch|kh|th|ph|sh|k|g|n|t|d|r|l|m|p|b|s|j|h)?"
    r"(?:yae|wae|ae|ya|yo|ye|yu|wa|wo|we|wi|oe|ui|eo|eu|oo|ee|a|e|i|o|u)"
    r"(?:ng|k|n|l|m|p)?$")
NOT_SYLLABLES = {
    "the", "and", "of", "in", "on", "to", "so", "it", "is", "as", "at", "by", "or", "up",
    "us", "we", "me", "my", "no", "go", "he", "be", "dot", "tool", "too", "ship", "sea",
    "star", "moon", "sun", "one", "new", "bank", "see", "co", "ltd", "corp", "inc", "jv",
    "pte", "llc", "sa", "hk", "bhd", "sdn", "ooo", "oao", "zao", "jsc", "ag", "spa", "fan",
    "ken", "hill", "hong", "kong", "man", "pan", "lin", "bin", "abu", "bay", "lng",
}


def is_syllable_token(t, chinese):
    t = t.lower()
    if t in NOT_SYLLABLES or not t.isalpha():
        return False
    if chinese:
        return t in PINYIN or t in OTHER_CHINESE
    return bool(KOREAN_SYL.match(t))


def chinese_entry(e):
    if any(a.get("country") in ("China", "Hong Kong", "Taiwan", "Macau")
           for a in e.get("addresses") or []):
        return True
    return bool(set(e.get("nationalities") or []) & {"China", "Taiwan", "Hong Kong"})


# ---------------------------------------------------------------------------
# Russian transliteration

FIRST_NAME_FORMS = [
    # one name, its usual Latin spellings
    ["aleksandr", "alexander", "alexandr", "aleksander"],
    ["aleksei", "alexei", "alexey", "aleksey", "alexej"],
    ["sergei", "sergey", "serguei", "sergej"],
    ["andrei", "andrey", "andrej"],
    ["nikolai", "nikolay", "nicolai"],
    ["dmitri", "dmitry", "dmitriy", "dmitrii"],
    ["yuri", "yury", "yuriy", "iurii", "yurii", "juri"],
    ["yevgeni", "yevgeniy", "yevgeny", "evgeny", "evgeniy", "evgenii", "yevgenii"],
    ["mikhail", "mihail", "michail"],
    ["maksim", "maxim"],
    ["ilya", "ilia", "iliya"],
    ["pyotr", "petr"],
    ["fyodor", "fedor"],
    ["semyon", "semen"],
    ["artyom", "artem"],
    ["vasili", "vasiliy", "vasily", "vasilii"],
    ["anatoli", "anatoliy", "anatoly", "anatolii"],
    ["gennadi", "gennadiy", "gennady", "gennadii"],
    ["valeri", "valeriy", "valery", "valerii"],
    ["vitali", "vitaliy", "vitaly", "vitalii"],
    ["grigori", "grigoriy", "grigory", "grigorii"],
    ["arkadi", "arkadiy", "arkady", "arkadii"],
    ["yelena", "elena"],
    ["yekaterina", "ekaterina"],
    ["yegor", "egor"],
    ["tatyana", "tatiana"],
    ["natalya", "natalia"],
    ["yulia", "yuliya", "iuliia", "julia"],
    ["ksenia", "kseniya", "xenia"],
    ["olga", "olga"],
    ["vyacheslav", "viacheslav"],
    ["yaroslav", "iaroslav"],
    ["yakov", "iakov"],
]
FORM_CANON = {f: forms[0] for forms in FIRST_NAME_FORMS for f in forms}


def translit_token(t):
    """Transliteration-insensitive form of one Russian name word."""
    t = t.lower().replace("'", "")
    t = FORM_CANON.get(t, t)
    t = t.replace("x", "ks").replace("kh", "h")
    t = re.sub(r"(iy|ii|yi|yy|ij)$", "i", t)
    t = re.sub(r"y$", "i", t)
    t = t.replace("yo", "e").replace("ye", "e").replace("yu", "iu").replace("ya", "ia")
    t = t.replace("ie", "e")
    t = t.replace("y", "i").replace("j", "i")
    t = re.sub(r"(.)\1+", r"\1", t)
    return t


def translit_tokens(text):
    return [translit_token(t) for t in tokens(text)]


def translit_key(text):
    return " ".join(sorted(translit_tokens(text)))


PATRONYMIC = re.compile(
    r"(ovich|evich|yevich|ovych|evych|ievich|yovich|avich|ich|ovna|evna|yevna|ivna|ichna|"
    r"inichna|ogly|oglu|kyzy|qizi|uly|ulu)$", re.I)


def is_patronymic(t):
    return bool(PATRONYMIC.search(t)) and len(t) >= 7


# the other common Latin spelling of a Russian given name
COMMON_SPELLING = {
    "aleksandr": "alexander", "alexandr": "alexander", "alexander": "aleksandr",
    "aleksandra": "alexandra", "alexandra": "aleksandra",
    "aleksei": "alexei", "aleksey": "alexey", "alexey": "alexei", "alexei": "alexey",
    "sergey": "sergei", "sergei": "sergey", "andrey": "andrei", "andrei": "andrey",
    "nikolay": "nikolai", "nikolai": "nikolay", "dmitriy": "dmitry", "dmitry": "dmitri",
    "dmitri": "dmitry", "yuriy": "yury", "yury": "yuri", "yuri": "yury", "yurii": "yury",
    "yevgeniy": "evgeny", "yevgeny": "evgeny", "evgeny": "yevgeny", "evgeniy": "evgeny",
    "maksim": "maxim", "maxim": "maksim", "vasiliy": "vasily", "vasili": "vasily",
    "vasily": "vasili", "anatoliy": "anatoly", "anatoly": "anatoli", "gennadiy": "gennady",
    "gennady": "gennadi", "valeriy": "valery", "valery": "valeri", "vitaliy": "vitaly",
    "vitaly": "vitali", "grigoriy": "grigory", "grigory": "grigori", "arkadiy": "arkady",
    "arkady": "arkadi", "tatyana": "tatiana", "tatiana": "tatyana", "natalya": "natalia",
    "natalia": "natalya", "yelena": "elena", "elena": "yelena", "yekaterina": "ekaterina",
    "ekaterina": "yekaterina", "ksenia": "xenia", "pyotr": "petr", "petr": "pyotr",
    "fyodor": "fedor", "fedor": "fyodor", "semyon": "semen", "artyom": "artem",
    "artem": "artyom", "yegor": "egor", "egor": "yegor", "yulia": "yuliya",
    "yuliya": "yulia", "ilya": "ilia",
}


def transliterate(word, rng, system):
    """Respell one Russian name word in another transliteration. `system`:
    'icao' (Russian passports since 2013: e for initial ye, i for й, iu/ia),
    'english' (common English forms: x for ks, -y for -iy, Alexander),
    'simple' (no y for й: Dmitri, Yuri, Nikolai; e for ye)."""
    w = word
    low = w.lower()
    forms = None
    for fs in FIRST_NAME_FORMS:
        if low in fs:
            forms = fs
    if system == "english" and low in COMMON_SPELLING:
        return match_case(COMMON_SPELLING[low], w)
    s = low
    if system == "icao":
        s = re.sub(r"^ye", "e", s)
        s = re.sub(r"(?<=[aeiou])ye", "e", s)
        s = re.sub(r"^yu", "iu", s)
        s = re.sub(r"^ya", "ia", s)
        s = re.sub(r"(?<=[aeiou])ya", "ia", s)
        s = re.sub(r"(?<=[aeiou])yu", "iu", s)
        s = re.sub(r"iy$", "ii", s)
        s = re.sub(r"yy$", "yi", s)
        s = re.sub(r"(?<=[aeo])y(?=[^aeiouy]|$)", "i", s)
        s = re.sub(r"^yo", "e", s)
    elif system == "english":
        s = re.sub(r"^aleks", "alex", s)
        s = re.sub(r"^maks", "max", s)
        s = re.sub(r"(?<=[st]k)iy$", "y", s)
        s = re.sub(r"(?<=[aeiou])yev", "ev", s)
    elif system == "simple":
        s = re.sub(r"^ye", "e", s)
        s = re.sub(r"(?<=[aeiou])ye", "e", s)
        s = re.sub(r"(?<=[st]k|ch|[gk]h)iy$", "i", s)
        s = re.sub(r"yy$", "y", s)
        s = re.sub(r"(?<=[aeo])y$", "i", s)
        s = re.sub(r"(?<=[aeo])y(?=[^aeiouy])", "i", s)
    return match_case(s, w)


def match_case(new, old):
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


# ---------------------------------------------------------------------------
# abbreviations

ABBREVIATIONS = [
    # (full words in norm(), [abbreviations as a clerk writes them])
    (["democratic", "peoples", "republic", "of", "korea"], ["DPRK", "D.P.R.K."]),
    (["north", "korea"], ["DPRK"]),
    (["corporation"], ["Corp.", "Corp"]),
    (["company"], ["Co.", "Co"]),
    (["international"], ["Intl", "Int'l", "Intl."]),
    (["limited"], ["Ltd", "Ltd."]),
    (["manufacturing"], ["Mfg", "Mfg."]),
    (["department"], ["Dept", "Dept."]),
    (["association"], ["Assn", "Assn."]),
    (["national"], ["Natl", "Nat'l"]),
    (["brothers"], ["Bros", "Bros."]),
    (["general"], ["Gen.", "Genl"]),
    (["industrial"], ["Ind.", "Indl"]),
    (["industries"], ["Inds", "Ind."]),
    (["shipping"], ["Shpg", "Shpg."]),
    (["trading"], ["Trdg", "Trdg."]),
    (["and"], ["&"]),
    (["joint", "venture"], ["JV", "J/V"]),
    (["technology"], ["Tech"]),
    (["management"], ["Mgmt", "Mgt."]),
    (["incorporated"], ["Inc", "Inc."]),
]
EXPANSIONS = [
    # (abbreviation in norm(), full form) for the reverse direction
    (["dprk"], "Democratic People's Republic of Korea"),
    (["d", "p", "r", "k"], "Democratic People's Republic of Korea"),
    (["corp"], "Corporation"), (["co"], "Company"), (["intl"], "International"),
    (["int", "l"], "International"),
    (["ltd"], "Limited"), (["mfg"], "Manufacturing"), (["dept"], "Department"),
    (["assn"], "Association"), (["natl"], "National"), (["bros"], "Brothers"),
    (["shpg"], "Shipping"), (["trdg"], "Trading"), (["jv"], "Joint Venture"),
    (["inc"], "Incorporated"),
]
ABBR_CANON = {
    "corp": "corporation", "co": "company", "intl": "international", "ltd": "limited",
    "mfg": "manufacturing", "dept": "department", "assn": "association", "natl": "national",
    "bros": "brothers", "gen": "general", "genl": "general", "ind": "industrial",
    "indl": "industrial", "inds": "industrial", "industries": "industrial",
    "shpg": "shipping", "trdg": "trading", "tech": "technology", "mgmt": "management",
    "mgt": "management", "inc": "incorporated", "dprk": "democratic peoples republic of korea",
    "jv": "joint venture",
}


def abbr_key(text):
    t = re.sub(r"\bnorth\s+korea\b", "DPRK", text, flags=re.I)
    t = t.replace("&", " and ").replace("J/V", "JV").replace("j/v", "jv")
    t = re.sub(r"\bD\.P\.R\.K\.?", "DPRK", t)
    t = re.sub(r"\bInt'l\b", "Intl", t, flags=re.I)
    t = re.sub(r"\bNat'l\b", "Natl", t, flags=re.I)
    out = []
    for w in tokens(t):
        out.append(ABBR_CANON.get(w, w))
    return " ".join(" ".join(out).split())


# ---------------------------------------------------------------------------
# disguises

INVISIBLES = [
    ("\u200b", "ZERO WIDTH SPACE"), ("\u200c", "ZERO WIDTH NON-JOINER"),
    ("\u200d", "ZERO WIDTH JOINER"), ("\u2060", "WORD JOINER"), ("\u00ad", "SOFT HYPHEN"),
    ("\ufeff", "ZERO WIDTH NO-BREAK SPACE (BOM)"), ("\u180e", "MONGOLIAN VOWEL SEPARATOR"),
    ("\u034f", "COMBINING GRAPHEME JOINER"), ("\u2063", "INVISIBLE SEPARATOR"),
    ("\u2062", "INVISIBLE TIMES"), ("\u2061", "FUNCTION APPLICATION"),
    ("\ufe0f", "VARIATION SELECTOR-16"), ("\ufe00", "VARIATION SELECTOR-1"),
    ("\U000e0041", "TAG LATIN CAPITAL LETTER A"), ("\U000e0020", "TAG SPACE"),
    ("\u3164", "HANGUL FILLER"), ("\u115f", "HANGUL CHOSEONG FILLER"),
    ("\u17b4", "KHMER VOWEL INHERENT AQ"), ("\uffa0", "HALFWIDTH HANGUL FILLER"),
    ("\U000e0100", "VARIATION SELECTOR-17"),
]
INVISIBLE_SET = {c for c, _ in INVISIBLES}


def is_ignorable(c):
    o = ord(c)
    return (c in INVISIBLE_SET or unicodedata.category(c) == "Cf"
            or 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF or 0xE0000 <= o <= 0xE007F
            or c in "\u034f\u115f\u1160\u3164\uffa0\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f")


LOOKALIKE_CYRILLIC = {
    "A": "\u0410", "B": "\u0412", "C": "\u0421", "E": "\u0415", "H": "\u041d", "I": "\u0406",
    "J": "\u0408", "K": "\u041a", "M": "\u041c", "O": "\u041e", "P": "\u0420", "S": "\u0405",
    "T": "\u0422", "X": "\u0425", "Y": "\u04ae",
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445",
    "y": "\u0443", "i": "\u0456", "j": "\u0458", "s": "\u0455",
}
LOOKALIKE_GREEK = {
    "A": "\u0391", "B": "\u0392", "E": "\u0395", "H": "\u0397", "I": "\u0399", "K": "\u039a",
    "M": "\u039c", "N": "\u039d", "O": "\u039f", "P": "\u03a1", "T": "\u03a4", "X": "\u03a7",
    "Y": "\u03a5", "Z": "\u0396", "o": "\u03bf", "v": "\u03bd",
}
LOOKALIKE_BACK = {v: k for d in (LOOKALIKE_CYRILLIC, LOOKALIKE_GREEK) for k, v in d.items()}

DIGITS = {"O": "0", "o": "0", "I": "1", "i": "1", "L": "1", "l": "1", "E": "3", "e": "3",
          "S": "5", "s": "5"}
DIGIT_BACK = {"0": "o", "1": "il", "3": "e", "5": "s"}

BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
RLO, PDF, LRM, RLM = "\u202e", "\u202c", "\u200e", "\u200f"


def undo_bidi(q):
    """The text as displayed: the part after an RLO (up to PDF or the end) is
    shown in reverse order; other bidi controls are invisible."""
    out = q
    m = re.search(RLO + "([^" + PDF + "]*)" + PDF + "?", out)
    if m:
        out = out[:m.start()] + m.group(1)[::-1] + out[m.end():]
    return "".join(c for c in out if c not in BIDI_CONTROLS)


def jamo_compat(h):
    """Hangul syllables -> compatibility jamo (U+3131...), as typed one key at a time."""
    out = []
    for ch in h:
        if not ("\uac00" <= ch <= "\ud7a3"):
            out.append(ch)
            continue
        c, v, f = decompose(ch)
        out.append(c + v + ("" if not f else f))
    return "".join(out)


def from_compat(q):
    """Recompose compatibility jamo into syllables (only the simple cases this
    set writes: initial, vowel, optional single final)."""
    out = []
    i = 0
    while i < len(q):
        c = q[i]
        if c in CHO and i + 1 < len(q) and q[i + 1] in JUNG:
            v = q[i + 1]
            f = ""
            if i + 2 < len(q) and q[i + 2] in JONG and q[i + 2] and \
                    not (i + 3 < len(q) and q[i + 3] in JUNG):
                f = q[i + 2]
            out.append(compose(c, v, f))
            i += 2 + (1 if f else 0)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def imo_valid(s):
    if not re.fullmatch(r"\d{7}", s or ""):
        return False
    d = [int(x) for x in s]
    return sum(a * b for a, b in zip(d[:6], (7, 6, 5, 4, 3, 2))) % 10 == d[6]


def imo_with_check(six):
    d = [int(x) for x in six]
    return six + str(sum(a * b for a, b in zip(d, (7, 6, 5, 4, 3, 2))) % 10)


# ---------------------------------------------------------------------------
# makers: each returns (query, note) or (query, note, imo), or None. The note
# starts with the quoted listed name the row derives from.


def src_label(e, text):
    if text == e["names"][0]["text"]:
        return "primary"
    q = [n["quality"] for n in e["names"] if n["text"] == text]
    return "weak alias" if q and q[0] == "weak" else "alias"


def entry_tokens(e):
    return {t for n in e["names"] for t in tokens(n["text"])}


def person_text(lst, text, rng, allow_comma=True):
    """A person's listed name as a clerk types it: 'Surname Given' in title
    case, or upper case with or without the comma."""
    if "," not in text:
        return title(text) if rng.random() < 0.6 else text.upper()
    sur, given = text.split(",", 1)
    style = rng.choice(["title", "upper", "comma"] if allow_comma else ["title", "upper"])
    if style == "title":
        return "%s %s" % (title(sur.strip()), " ".join(title_word(g) for g in given.split()))
    if style == "upper":
        return ("%s %s" % (sur.strip(), given.strip())).upper()
    return "%s, %s" % (sur.strip().upper(), " ".join(title_word(g) for g in given.split()))


def any_case(text, rng, weights=(0.5, 0.35, 0.15)):
    r = rng.random()
    if r < weights[0]:
        return title(text)
    if r < weights[0] + weights[1]:
        return text.upper()
    return text


# --- 1. syllables joined ---------------------------------------------------

def korean_or_chinese_person(lst, e):
    if e["kind"] != "individual":
        return None
    if mq.is_korean_person(lst, e):
        return "korean"
    if chinese_entry(e) or pool_of(lst, e) == "DPRK":
        return "chinese"
    return None


def make_joined(lst, e, rng, ctx):
    pool = pool_of(lst, e)
    if pool != "DPRK" and not chinese_entry(e):
        return None
    for text in usable_names(lst, e)[:3]:
        if e["kind"] == "individual":
            who = korean_or_chinese_person(lst, e)
            if not who or "," not in text and lst.name == "OFAC_SDN":
                continue
            sur, given = mq.split_person(text, lst)
            syl = [s for g in given for s in strip_apos(g).split("-") if s]
            if not 2 <= len(syl) <= 3 or not all(is_syllable_token(s, who == "chinese")
                                                  for s in syl):
                continue
            if "-" in " ".join(given) and rng.random() < 0.5:
                continue    # prefer names the list writes with spaces
            joined = "".join(s.lower() for s in syl)
            if joined in entry_tokens(e):
                continue
            style = rng.choice(["title", "title", "upper", "nospace"])
            s0 = strip_apos(sur)
            if style == "title":
                q = "%s %s" % (title_word(s0), joined.capitalize())
            elif style == "upper":
                q = "%s %s" % (s0.upper(), joined.upper())
            else:
                q = title_word(s0) + "".join(s.capitalize() for s in syl)
            how = ("all spaces dropped" if style == "nospace"
                   else 'given-name syllables joined: "%s" -> "%s"' % (
                       " ".join(syl), joined.capitalize()))
        else:
            toks = text.split()
            chinese = chinese_entry(e) or any(t.lower() in CHINESE_PLACES for t in tokens(text))
            runs, cur = [], []
            for i, t in enumerate(toks):
                ok = t.isalpha() and (is_syllable_token(t, True) or
                                      (pool == "DPRK" and not chinese and
                                       is_syllable_token(t, False)))
                if ok:
                    cur.append(i)
                else:
                    if len(cur) >= 2:
                        runs.append(cur)
                    cur = []
            if len(cur) >= 2:
                runs.append(cur)
            if not runs:
                continue
            run = max(runs, key=len)
            joined = "".join(toks[i].lower() for i in run)
            if joined in entry_tokens(e):
                continue
            new = toks[:run[0]] + [joined.upper()] + toks[run[-1] + 1:]
            attach = (e["kind"] == "vessel" and run[-1] == len(toks) - 2
                      and toks[-1].isdigit() and rng.random() < 0.3)
            if attach:
                new = toks[:run[0]] + [joined.upper() + toks[-1]]
            q = " ".join(new)
            q = title(q) if rng.random() < 0.6 else q.upper()
            how = 'syllables joined: "%s" -> "%s"' % (
                " ".join(toks[i] for i in run), joined.capitalize())
            if attach:
                how += ", number attached"
        if own_norm(e, q) or other_entry_name(lst, e, q):
            continue
        return q, 'from %s "%s" (%s)' % (src_label(e, text), text, how)
    return None


# --- 2. syllables split ----------------------------------------------------

ENGLISH_LIKE = {"china", "line", "lane", "bane", "gene", "banana", "lima", "mine", "sina",
                "pole", "dagang", "hongkong", "sinotech", "tiande", "taipei", "macao"}


def split_candidates(lst, e, text):
    """[(token index, syllables, how)] of joined words in text that the
    screener might see split."""
    toks = text.split()
    out = []
    pool = pool_of(lst, e)
    chinese = chinese_entry(e)
    low = [t.strip(",.").lower() for t in toks]
    if e["kind"] == "individual":
        if "," not in text or not (chinese or pool == "DPRK"):
            return out
        if mq.is_korean_person(lst, e):
            return out
        sur, given = text.split(",", 1)
        g = given.split()
        if len(g) != 1 or not g[0].isalpha():
            return out
        splits = pinyin_splits(g[0].lower(), 3)
        if len(splits) == 1 and len(g[0]) >= 4:
            out.append((len(toks) - 1, splits[0], "pinyin"))
        return out
    for i, t in enumerate(low):
        if not t.isalpha():
            continue
        if pool == "DPRK" and t in KOREAN_WORDS and t not in ("choson", "chosun", "joson",
                                                             "unhaeng", "hoesa", "muyok"):
            out.append((i, KOREAN_WORDS[t][0].split(), "Korean"))
        elif (chinese or pool == "DPRK") and t not in CHINESE_PLACES and t not in ENGLISH_LIKE \
                and len(t) >= 5 and i > 0 and low[i - 1] in CHINESE_PLACES:
            splits = pinyin_splits(t, 3)
            if len(splits) == 1:
                out.append((i, splits[0], "pinyin"))
    return out


def make_split(lst, e, rng, ctx):
    for text in usable_names(lst, e)[:3]:
        cands = split_candidates(lst, e, text)
        if not cands:
            continue
        i, syl, how = rng.choice(cands)
        toks = text.split()
        word = toks[i]
        punct = word[len(word.rstrip(",.")):]
        sep = "-" if rng.random() < 0.2 else " "
        if e["kind"] == "individual":
            new = sep.join([syl[0].capitalize()] + [s.lower() if sep == "-" else s.capitalize()
                                                    for s in syl[1:]])
            sur = text.split(",", 1)[0]
            q = "%s %s" % (title(sur), new) if rng.random() < 0.7 else \
                ("%s %s" % (sur, new)).upper()
        else:
            new = sep.join(s.upper() for s in syl) + punct
            q = " ".join(toks[:i] + [new] + toks[i + 1:])
            q = title(q) if rng.random() < 0.6 else q.upper()
        spaced = " ".join(syl)
        if any(spaced in norm(n["text"]) for n in e["names"]):
            continue    # the split spelling is listed: it would be an alias
        if own_norm(e, q) or other_entry_name(lst, e, q):
            continue
        return q, 'from %s "%s" (%s syllables split: "%s" -> "%s")' % (
            src_label(e, text), text, how, word.strip(",."), new.strip(",."))
    return None


# --- 3. another romanisation system ----------------------------------------

def render_person(hsur, hgiven, psyl, style, rng):
    """(surname, given) of a Korean person in style 'rr' or 'informal';
    syllables whose Hangul is not known keep the list spelling."""
    rr_sur, inf_sur = SURNAME_STYLE.get(hsur, (None, None))
    if rr_sur is None:
        return None
    sur = rr_sur if style == "rr" else rng.choice(inf_sur)
    parts = []
    for h, s in zip(hgiven, psyl):
        parts.append(s.lower() if h is None else (rr(h) if style == "rr" else informal(h)))
    return sur, parts


def make_romanisation(lst, e, rng, ctx):
    if pool_of(lst, e) != "DPRK":
        return None
    style = rng.choice(["rr", "informal"])
    sysname = "Revised Romanization" if style == "rr" else "South Korean informal spelling"
    if e["kind"] == "individual":
        kp = korean_person(lst, e)
        if not kp:
            return None
        hsur, hgiven, evidence = kp
        text = e["names"][0]["text"]
        if homonym(lst, e, text):
            return None
        sur, given = mq.split_person(text, lst)
        psyl = [s for g in given for s in strip_apos(g).lower().split("-") if s]
        if len(psyl) < 2 or sum(h is not None for h in hgiven) < 1:
            return None
        r = render_person(hsur, hgiven, psyl, style, rng)
        if not r:
            return None
        nsur, parts = r
        sep = rng.choice(["-", "-", " "])
        g = sep.join(parts).capitalize() if sep == "-" else " ".join(p.capitalize() for p in parts)
        q = "%s %s" % (nsur, g)
        changes = []
        if nsur.lower() != strip_apos(sur).lower():
            changes.append("%s -> %s" % (title_word(strip_apos(sur)), nsur))
        for a, b in zip(psyl, parts):
            if a != b:
                changes.append("%s -> %s" % (a.capitalize(), b.capitalize()))
        if len(changes) < 2:
            return None
        hangul = hsur + "".join(h or "?" for h in hgiven)
        unsure = ", ? = a syllable left as listed: its Hangul is not certain" if None in hgiven else ""
        note = 'from primary "%s" (%s; Hangul %s from %s%s: %s)' % (
            text, sysname, hangul, evidence, unsure, ", ".join(changes))
    elif e["kind"] == "entity":
        for text in usable_names(lst, e)[:3]:
            toks = text.split()
            new, changes = [], []
            for t in toks:
                core = t.strip(",.").lower()
                w = KOREAN_WORDS.get(core)
                if w and w[1] and not (style == "rr" and w[1] in RR_SKIP) and core != "korea":
                    r = render_word(w[1], style)
                    if r != core:
                        new.append(r.capitalize() + t[len(t.rstrip(",.")):])
                        changes.append("%s -> %s (%s)" % (t.strip(",.").capitalize(),
                                                          r.capitalize(), w[1]))
                        continue
                new.append(t)
            if not changes:
                continue
            q = title(" ".join(new))
            if own_name(lst, e, q) or any(norm(c.split(" -> ")[1].split(" (")[0]) in
                                          entry_tokens(e) for c in changes):
                continue    # that spelling is listed: it would be an alias
            note = 'from %s "%s" (%s: %s)' % (src_label(e, text), text, sysname,
                                              ", ".join(changes))
            break
        else:
            return None
    else:
        return None
    if own_name(lst, e, q) or not unique_under(lst, e["kind"], rom_key, "rom", q,
                                               e["reference"]):
        return None
    return q, note


# --- 4. one typo in a short word -------------------------------------------

SHORT_SKIP = {"co", "ltd", "llc", "inc", "corp", "the", "and", "of", "for", "pte", "bhd", "sdn",
              "ooo", "oao", "zao", "jsc", "pjsc", "ojsc", "cjsc", "sa", "ag", "de", "del",
              "la", "el", "al", "bin", "ibn", "abu", "von", "van", "der", "den", "des", "do",
              "da", "dos", "das", "le", "les", "y", "e", "i", "gmbh", "srl", "sarl", "plc",
              "jv", "ltda", "cia", "fzc", "fze", "llp", "limited", "company", "group",
              "bank", "kim", "ri", "pak", "choe", "li", "wang", "zhang", "chen", "liu"}


TYPO_GENERIC = {"joint", "stock", "open", "public", "closed", "trade", "group", "plant",
                "firm", "house", "state", "trust", "union", "bank"}


def make_typo_short(lst, e, rng, ctx):
    names = usable_names(lst, e)
    for text in names[:2]:
        words = text.split(" ")
        cand = []
        for wi, w in enumerate(words):
            core = w.strip(",.")
            lo = 4 if e["kind"] == "entity" else 3      # 3-letter words of bodies are acronyms
            if core.isalpha() and lo <= len(core) <= 5 and core.lower() not in SHORT_SKIP \
                    and not (core.isupper() and not re.search("[AEIOUY]", core)):
                cand.append((core.lower() in mq.GENERIC_WORDS or core.lower() in TYPO_GENERIC, wi))
        if not cand:
            continue
        distinctive = [c for c in cand if not c[0]]
        if not distinctive:
            continue    # a typo in 'Joint' or 'Korea' tests the legal form, not the name
        _, wi = rng.choice(distinctive)
        w = words[wi]
        core = w.strip(",.")
        for _ in range(20):
            op = rng.choice(["drop", "double", "swap", "sub", "sub"])
            i = rng.randrange(1, len(core))
            if op == "swap" and (i + 1 >= len(core) or core[i] == core[i + 1]):
                continue
            if op == "drop" and core[i - 1].lower() == core[i].lower():
                continue
            new = mq.apply_edit(core, op, i, rng)
            if new and new.lower() != core.lower():
                break
        else:
            continue
        if new.lower() in entry_tokens(e):
            continue
        nw = list(words)
        nw[wi] = w.replace(core, new)
        q = " ".join(nw)
        if rng.random() < 0.4 and "," not in q:
            q = title(q)
        if own_name(lst, e, q) or other_entry_name(lst, e, q):
            continue
        if not ctx.closest_is(lst, q, e["reference"]):
            continue
        return q, 'from %s "%s" (%s in "%s": "%s")' % (src_label(e, text), text, op, core, new)
    return None


# --- 5. patronymic left out ------------------------------------------------

def first_index(lst):
    """{(surname key, first given-name key): refs} over every name of every person."""
    if not hasattr(lst, "_first_idx"):
        idx = defaultdict(set)
        for e in lst.entries:
            if e["kind"] != "individual":
                continue
            for n in e["names"]:
                t = n["text"]
                if "," not in t:
                    continue
                sur, given = t.split(",", 1)
                g = tokens(given)
                if not g:
                    continue
                for s in [translit_token(x) for x in tokens(sur)] + [
                        "".join(translit_token(x) for x in tokens(sur))]:
                    idx[(s, translit_token(g[0]))].add(e["reference"])
        lst._first_idx = idx
    return lst._first_idx


def patronymic_parts(text):
    """(surname, first given name, patronymic) of 'SURNAME, Given Patronymic', else None."""
    if "," not in text:
        return None
    sur, given = text.split(",", 1)
    g = given.split()
    if len(g) != 2 or not is_patronymic(g[1]) or not re.fullmatch(r"[A-Za-z'\-]+", g[0]):
        return None
    return sur.strip(), g[0], g[1]


def short_name_unique(lst, e, sur, first):
    idx = first_index(lst)
    s = "".join(translit_token(x) for x in tokens(sur))
    refs = idx.get((s, translit_token(first)), set())
    return refs <= {e["reference"]}


def make_patronymic(lst, e, rng, ctx):
    if e["kind"] != "individual" or lst.name != "OFAC_SDN":
        return None
    for text in usable_names(lst, e)[:2]:
        p = patronymic_parts(text)
        if not p:
            continue
        sur, first, pat = p
        if not short_name_unique(lst, e, sur, first):
            continue
        style = rng.choice(["given-first", "given-first", "upper", "comma"])
        if style == "given-first":
            q = "%s %s" % (title_word(first), title(sur))
        elif style == "upper":
            q = "%s %s" % (sur.upper(), first.upper())
        else:
            q = "%s, %s" % (title(sur), title_word(first))
        if own_name(lst, e, q) or other_entry_name(lst, e, q) or \
                any(key(n["text"]) == key(q) for n in e["names"]):
            continue    # listed without the patronymic: it would be an alias
        return q, 'from %s "%s" (patronymic "%s" left out)' % (src_label(e, text), text, pat)
    return None


# --- 6. another transliteration of a Russian name --------------------------

RUSSIAN_NATIONS = {"Russia", "Ukraine", "Belarus", "Kazakhstan", "Moldova"}


def russian_person(lst, e):
    if e["kind"] != "individual" or lst.name != "OFAC_SDN":
        return False
    if set(e.get("nationalities") or []) & RUSSIAN_NATIONS:
        return True
    return any(is_patronymic(t) and re.search("(ovich|evich|ovna|evna)$", t, re.I)
               for t in e["names"][0]["text"].split())


def make_transliteration(lst, e, rng, ctx):
    if not russian_person(lst, e):
        return None
    for text in usable_names(lst, e)[:2]:
        if "," not in text:
            continue
        sur, given = text.split(",", 1)
        g = given.split()
        if not g or not all(re.fullmatch(r"[A-Za-z'\-]+", x) for x in g + sur.split()):
            continue
        system = rng.choice(["icao", "english", "simple"])
        new_sur = " ".join(transliterate(x, rng, system) for x in sur.split())
        new_g = [transliterate(x, rng, system) for x in g]
        changed = [(a, b) for a, b in zip(sur.split() + g, new_sur.split() + new_g)
                   if a.lower() != b.lower()]
        if not changed:
            continue
        drop = len(g) == 2 and is_patronymic(g[1]) and rng.random() < 0.35
        if drop:
            if not short_name_unique(lst, e, sur, g[0]):
                drop = False
        kept = new_g[:1] if drop else new_g
        changed = [(a, b) for a, b in changed if not (drop and a == g[1])]
        if not changed:
            continue
        style = rng.choice(["given-first", "given-first", "upper"])
        if style == "given-first":
            q = "%s %s" % (" ".join(title_word(x) for x in kept), title(new_sur))
        else:
            q = "%s %s" % (new_sur.upper(), " ".join(kept).upper())
        if own_name(lst, e, q) or other_entry_name(lst, e, q) or \
                any(key(n["text"]) == key(q) for n in e["names"]):
            continue
        if not unique_under(lst, "individual", translit_key, "translit", q, e["reference"]):
            continue
        how = ", ".join('%s -> %s' % (a, b) for a, b in changed)
        sysname = {"icao": "ICAO passport transliteration (Russia, since 2013)",
                   "english": "the other common spelling",
                   "simple": "simplified transliteration"}[system]
        if drop:
            how += '; patronymic "%s" left out' % g[1]
        return q, 'from %s "%s" (%s: %s)' % (src_label(e, text), text, sysname, how)
    return None


# --- 7. OFAC weak alias ----------------------------------------------------

def token_freq(lst):
    if not hasattr(lst, "_tfreq"):
        lst._tfreq = {t: len(refs) for t, refs in lst.by_token.items()}
    return lst._tfreq


# honorifics, particles and legal forms that do not make a name distinctive
WEAK_NOISE = {"abu", "abou", "abo", "haji", "hajji", "hadji", "mullah", "mulla", "mawlawi",
              "maulavi", "sheikh", "shaykh", "sheik", "al", "el", "bin", "ibn", "bint", "the",
              "tov", "too", "pp", "fze", "fzc", "fzco", "llp", "ao", "pao", "mr", "don", "dona",
              "umm", "um", "ould", "qari", "mufti", "imam", "doctor", "dr"}


# common words that OFAC's weak aliases are made of ('THIRD FLOOR', 'BRANCH 290')
WEAK_GENERIC = {
    "third", "floor", "first", "second", "bureau", "branch", "group", "grupo", "team", "army",
    "movement", "brigade", "brigades", "foundation", "holdings", "holding", "international",
    "systems", "construction", "division", "cartel", "partners", "people", "state",
    "national", "resistance", "mobilization", "blood", "witnesses", "investments",
    "perspective", "promising", "expert", "broker", "advance", "equipment", "company",
    "center", "centre", "office", "department", "armored", "cyber", "romantic", "northeast",
    "supporters", "place", "sentinels", "masked", "martyrs", "prisoners", "wounded",
    "organization", "organisation", "committee", "council", "front", "battalion", "forces",
    "services", "trading", "general", "industries", "industrial", "project", "projects",
}


def make_weak(lst, e, rng, ctx):
    if lst.name != "OFAC_SDN":
        return None
    freq = token_freq(lst)
    weak = [n["text"] for n in e["names"] if n["quality"] == "weak"]
    rng.shuffle(weak)
    for text in weak:
        if not latin_name(text) or re.search(r"\d", text) and e["kind"] == "individual":
            continue
        if not re.search("[A-Z]", text):
            continue    # lower-case handles (e-mail and forum names), not names
        toks = tokens(text)
        sig = [t for t in toks if t not in mq.STOPWORDS and t not in WEAK_NOISE and len(t) >= 3]
        if len(sig) < 2 or not any(t.isalpha() and len(t) >= 5 and t not in WEAK_GENERIC
                                   for t in sig):
            continue    # one word (a common name, a nickname) or common words: not distinctive
        if e["kind"] == "individual" and not any(freq.get(t, 0) <= 1 and len(t) >= 5
                                                 for t in sig):
            continue    # every word of it is a name other people on the list have
        if not any(freq.get(t, 0) <= 3 for t in sig):
            continue
        if re.search(r"[@_]|\.(com|io|net)\b", text, re.I):
            continue
        if lst.by_norm[norm(text)] != {e["reference"]} or \
                lst.by_key.get(key(text), {e["reference"]}) - {e["reference"]}:
            continue
        others = keyed_index(lst, e["kind"], key, "key").get(key(text), set()) - {e["reference"]}
        if others:
            continue
        if any(norm(n["text"]) == norm(text) for n in e["names"] if n["quality"] != "weak"):
            continue
        q = any_case(text, rng) if "," not in text else person_text(lst, text, rng)
        if norm(q) != norm(text):
            q = title(text) if "," not in text else text
        return q, 'from weak alias "%s" (OFAC a.k.a. kept in the remarks)' % text
    return None


# --- 8. abbreviations inside the name --------------------------------------

def abbreviation_options(words):
    """[(start, end, replacement, description)] over the words of a name."""
    low = [re.sub(r"[^\w&]", "", w.lower().replace("'", "")) for w in words]
    out = []
    for full, abbrs in ABBREVIATIONS:
        n = len(full)
        for i in range(len(low) - n + 1):
            if low[i:i + n] == full:
                if full == ["limited"] and low[i + 1:i + 2] == ["liability"]:
                    continue    # 'Ltd Liability Company' is not how anyone writes LLC
                if full == ["company"] and i > 0 and low[i - 1] in ("liability", "stock"):
                    continue
                out.append((i, i + n, abbrs, "%s -> %%s" % " ".join(words[i:i + n]).strip(",")))
    for ab, full in EXPANSIONS:
        n = len(ab)
        for i in range(len(low) - n + 1):
            if low[i:i + n] == ab:
                out.append((i, i + n, [full], "%s -> %%s" % " ".join(words[i:i + n]).strip(",")))
    for i, w in enumerate(low):
        if w == "&":
            out.append((i, i + 1, ["and"], "& -> %s"))
    return out


LEGAL_END = {"co", "company", "ltd", "limited", "corp", "corporation", "inc", "incorporated"}
LEGAL_TAIL_EXTRA = {"llc", "jsc", "cjsc", "ojsc", "pjsc", "pte", "pvt", "plc", "sa", "s a", "ag",
                    "gmbh", "bhd", "sdn", "fze", "fzc", "sarl", "srl", "ooo", "oao", "zao", "bv",
                    "b v", "nv", "ltda", "sas", "s a s"}


def make_abbreviation(lst, e, rng, ctx):
    if e["kind"] != "entity":
        return None
    for text in usable_names(lst, e)[:3]:
        words = text.replace(",", " , ").split()
        opts = abbreviation_options(words)
        # at least one change that is not in the legal form at the end of the name
        tail = len(words)
        while tail > 1 and (words[tail - 1] == "," or
                            norm(words[tail - 1]) in LEGAL_END | LEGAL_TAIL_EXTRA):
            tail -= 1
        inner = [o for o in opts if o[0] < tail]
        if not inner:
            continue
        korea = [o for o in inner if "korea" in norm(" ".join(words[o[0]:o[1]]))
                 or norm(" ".join(words[o[0]:o[1]])) in ("dprk", "d p r k")]
        picks = [rng.choice(korea or inner)]
        rest = [o for o in opts if o[1] <= picks[0][0] or o[0] >= picks[0][1]]
        if rest and rng.random() < 0.45:
            picks.append(rng.choice(rest))
        picks.sort()
        new, pos, descs = [], 0, []
        for s, t, repls, desc in picks:
            new.extend(words[pos:s])
            r = rng.choice(repls)
            new.append(r)
            descs.append(desc % r)
            pos = t
        new.extend(words[pos:])
        q = " ".join(new).replace(" , ", ", ").replace(" ,", ",")
        if rng.random() < 0.3:
            q = q.upper()
        elif not q.isupper() or rng.random() < 0.7:
            q = " ".join(w if w in ("&",) or re.fullmatch(r"[A-Z]\.[A-Z].*|DPRK|JV|J/V", w)
                         else title_word(w) for w in q.split(" "))
        if abbr_key(q) != abbr_key(text) or norm(q) == norm(text):
            continue
        if own_name(lst, e, q) or other_entry_name(lst, e, q):
            continue
        if not unique_under(lst, "entity", abbr_key, "abbr", q, e["reference"]):
            continue
        return q, 'from %s "%s" (%s)' % (src_label(e, text), text, "; ".join(descs))
    return None


# --- 9. listed after July 2021 ---------------------------------------------

def load_old_ofac():
    refs, names = set(), set()
    with open(os.path.join(OLD_OFAC, "sdn.csv"), encoding="latin-1", newline="") as fh:
        for r in csv.reader(fh):
            if len(r) > 1 and r[0].strip().isdigit():
                refs.add(r[0].strip())
                names.add(squash(r[1]))
    with open(os.path.join(OLD_OFAC, "alt.csv"), encoding="latin-1", newline="") as fh:
        for r in csv.reader(fh):
            if len(r) > 3 and r[0].strip().isdigit():
                names.add(squash(r[3]))
    return refs, names


def make_list_age(lst, e, rng, ctx):
    if lst.name != "OFAC_SDN" or e["reference"] in ctx.old_refs:
        return None
    for text in usable_names(lst, e)[:3]:
        if squash(text) in ctx.old_names or len(squash(text)) < 6:
            continue
        if e["kind"] == "individual" and len(tokens(text)) < 2:
            continue
        if e["kind"] == "individual":
            q = person_text(lst, text, rng)
        else:
            r = rng.random()
            q = title(text) if r < 0.45 else (
                re.sub(r"[.,]", "", text).upper() if r < 0.8 else text.lower())
        if q == text:
            q = title(text)
        if squash(q) != squash(text) or other_entry_name(lst, e, q):
            continue
        return q, 'from %s "%s" (OFAC ent_num %s is not in the 2021-07 sdn.csv: listed later)' % (
            src_label(e, text), text, e["reference"])
    return None


# --- 10. disguises ---------------------------------------------------------

def disguise_base(lst, e, rng, min_letters=8):
    """A listed name to disguise and how it is typed."""
    names = usable_names(lst, e)
    names = [t for t in names if len(squash(t)) >= min_letters and len(tokens(t)) >= 1]
    if not names:
        return None
    text = names[0] if rng.random() < 0.7 else rng.choice(names)
    if e["kind"] == "individual":
        if len(tokens(text)) < 2:
            return None
        q = person_text(lst, text, rng)
    else:
        q = any_case(text, rng)
    return text, q


def letter_gaps(word):
    """Indices i inside word where a character can go between two letters."""
    return [i for i in range(1, len(word)) if word[i - 1].isalpha() and word[i].isalpha()]


def make_invisible(lst, e, rng, ctx):
    b = disguise_base(lst, e, rng)
    if not b:
        return None
    text, q = b
    words = q.split(" ")
    long_words = [i for i, w in enumerate(words) if len(letter_gaps(w)) >= 3]
    if not long_words:
        return None
    style = rng.choice(["once", "each-word", "every-second", "every-second", "mixed"])
    chars = [c for c, _ in INVISIBLES]
    used = []
    if style == "once":
        c = rng.choice(chars)
        wi = rng.choice(long_words)
        i = rng.choice(letter_gaps(words[wi]))
        words[wi] = words[wi][:i] + c + words[wi][i:]
        used.append(c)
    elif style == "each-word":
        c = rng.choice(chars)
        for wi in long_words:
            i = rng.choice(letter_gaps(words[wi]))
            words[wi] = words[wi][:i] + c + words[wi][i:]
            used.append(c)
    elif style == "every-second":
        c = rng.choice(chars)
        wi = max(long_words, key=lambda k: (len(words[k]), -k))
        w = words[wi]
        words[wi] = "".join(ch + (c if (j % 2 == 1 and j < len(w) - 1) else "")
                            for j, ch in enumerate(w))
        used.extend([c] * (len(w) // 2))
    else:
        for wi in long_words[:3]:
            c = rng.choice(chars)
            i = rng.choice(letter_gaps(words[wi]))
            words[wi] = words[wi][:i] + c + words[wi][i:]
            used.append(c)
    q2 = " ".join(words)
    names = dict(INVISIBLES)
    kinds = sorted(set(used), key=lambda c: ord(c))
    desc = ", ".join("U+%04X %s" % (ord(c), names[c]) for c in kinds)
    how = {"once": "one %s inside a word" % desc,
           "each-word": "%s inside every long word" % desc,
           "every-second": "%s after every second letter of one word" % desc,
           "mixed": "%s inside words" % desc}[style]
    return q2, 'from %s "%s" (%s)' % (src_label(e, text), text, how)


def make_lookalike(lst, e, rng, ctx):
    b = disguise_base(lst, e, rng)
    if not b:
        return None
    text, q = b
    script = rng.choice(["Cyrillic", "Cyrillic", "Greek", "Cyrillic and Greek"])
    table = {"Cyrillic": [LOOKALIKE_CYRILLIC], "Greek": [LOOKALIKE_GREEK],
             "Cyrillic and Greek": [LOOKALIKE_CYRILLIC, LOOKALIKE_GREEK]}[script]
    pos = [i for i, c in enumerate(q) if any(c in t for t in table)]
    if len(pos) < 2:
        return None
    n = min(len(pos), rng.choice([2, 2, 3, 4]))
    picks = sorted(rng.sample(pos, n))
    chars = list(q)
    subs = []
    for i in picks:
        opts = [t[chars[i]] for t in table if chars[i] in t]
        c = rng.choice(opts)
        subs.append("%s->U+%04X" % (chars[i], ord(c)))
        chars[i] = c
    q2 = "".join(chars)
    scripts = sorted({unicodedata.name(c).split()[0].capitalize() for c in q2
                      if c in LOOKALIKE_BACK})
    return q2, 'from %s "%s" (%d look-alike %s letters: %s)' % (
        src_label(e, text), text, n, " and ".join(scripts), ", ".join(subs))


# bodies whose Korean name is written out in Latin letters in the list
JAMO_BODIES = {
    ("OFAC_SDN", "12312"): ("조선대성은행", "CHOSON TAESONG UNHAENG"),
    ("UN_SC", "KPe.035"): ("조선대성은행", "Choson Taesong Unhaeng"),
    ("OFAC_SDN", "12696"): ("동방은행", "TONGBANG U'NHAENG"),
    ("UN_SC", "KPe.013"): ("동방은행", "TONGBANG U’NHAENG"),
    ("OFAC_SDN", "12210"): ("정찰총국", "CHONGCH'AL CH'ONGGUK"),
    ("UN_SC", "KPe.031"): ("정찰총국", "Chongch’al Ch’ongguk"),
    ("OFAC_SDN", "39499"): ("조선백호무역회사", "JOSON PAEKHO MUYOK HOESA"),
    ("UN_SC", "KPe.018"): ("국방과학원", "KUKPANG KWAHAK-WON"),
}


def jamo_source(lst, e):
    """(Hangul, listed name, how the Hangul was found) or None."""
    b = JAMO_BODIES.get((lst.name, e["reference"]))
    if b:
        return b[0], b[1], "the Korean name the list writes out"
    kp = korean_person(lst, e)
    if not kp:
        return None
    hsur, hgiven, evidence = kp
    if None in hgiven or len(hgiven) < 1:
        return None
    text = e["names"][0]["text"]
    if homonym(lst, e, text):
        return None
    return hsur + "".join(hgiven), text, evidence


def make_jamo(lst, e, rng, ctx):
    src = jamo_source(lst, e)
    if not src:
        return None
    hangul, text, evidence = src
    if rng.random() < 0.6:
        q = unicodedata.normalize("NFD", hangul)
        how = "NFD: conjoining jamo U+1100..U+11FF"
    else:
        q = jamo_compat(hangul)
        how = "compatibility jamo U+3131..U+318E, one per key"
    return q, 'from %s "%s" (Hangul %s, from %s, written as %s)' % (
        src_label(e, text), text, hangul, evidence, how)


FILLERS = [
    "Pacific Horizon Logistics Pte Ltd", "Meridian Freight Forwarding Ltd",
    "Northgate Commodities Ltd", "Bluewater Chartering Services Ltd",
    "Harbourline Agency Services Ltd", "Tianjin Xinrui Supply Chain Co Ltd",
    "Qingdao Haoyu Logistics Co Ltd", "Ningbo Fengrui Shipping Agency Co Ltd",
    "Golden Crane Freight Services Ltd", "Coral Reef Ship Management Ltd",
    "Eastlink Customs Brokerage Ltd", "Suntide Marine Services Pte Ltd",
    "Anchorpoint Trading Ltd", "Silverline Express Forwarders Ltd",
    "Harbin Longrui Import Export Co Ltd", "Rostock Baltic Shipbrokers GmbH",
]
CITIES = ["Shenyang", "Vladivostok", "Dubai", "Beijing", "Moscow", "Singapore", "Bangkok",
          "Khabarovsk", "Hong Kong", "Yanji", "Nampo", "Kuala Lumpur"]
PLACES = [("Hong Kong", "Limited"), ("HK", "Limited"), ("Singapore", "Pte. Ltd."),
          ("Macau", "Limited"), ("Shanghai", "Co., Ltd."), ("Dubai", "FZE")]


def initials(text):
    ws = [w for w in tokens(text) if w not in ("of", "and", "the", "for")]
    return "".join(w[0] for w in ws).upper()


# a name that already ends in a limited-company form gets no second one
# ('X Co Ltd (Hong Kong) Limited'); 'X Corporation, Dandong Branch' and
# 'X Corporation (Hong Kong) Limited' are how such names are written
LEGAL_AT_END = re.compile(r"(\b(co\.?,? ?ltd\.?|company limited|limited|ltd\.?|llc|jsc|ooo|"
                          r"limited liability company|joint stock company|"
                          r"pte\.? ?ltd\.?|inc\.?|fze|fzc|sarl|gmbh|plc|ag|sa|bv|nv|srl|spa|sas|bhd|"
                          r"ltda|oy|ab)|(\b[a-z]\.){2,}[a-z]?\.?)$",
                          re.I)
LEGAL_AT_START = re.compile(r"^(limited liability|joint stock|open joint|closed joint|public joint|"
                            r"llc|ooo|oao|zao|jsc|pjsc|ojsc|cjsc|ao|pao|obshchestvo|obschestvo|"
                            r"aktsionernoe|publichnoe|zakrytoe|otkrytoe)\b", re.I)


CONTAINED_FORMS = {
    "entity": ["branch", "place", "co", "behalf", "agent", "abbr", "semi", "slash", "and",
               "co-of", "rep", "branch", "place"],
    "vessel": ["mv", "m/v", "owner", "ex"],
    "individual": ["mr", "attn", "director", "slash"],
}


NEEDS_BARE = {"branch", "place", "rep", "abbr"}


def make_contained(lst, e, rng, ctx):
    kind = e["kind"]
    if kind != "entity" and rng.random() < (0.6 if kind == "individual" else 0.4):
        return None     # the red team's cases are bodies: most rows are bodies
    if kind == "entity":
        names = [t for t in usable_names(lst, e) if len(squash(t)) >= 6]
        bare = [t for t in names if not (LEGAL_AT_END.search(t) or LEGAL_AT_START.search(t))]
        if not names:
            return None
    else:
        b = disguise_base(lst, e, rng, min_letters=6)
        if not b:
            return None
        text, n = b
    f = rng.choice(ctx.fillers)
    # the forms are taken in turn, so that each one is in the set
    turn = ctx.contained_turn[kind]
    forms = CONTAINED_FORMS[kind]
    t = forms[turn % len(forms)]
    if kind == "entity":
        if t in NEEDS_BARE and not bare:
            return None     # this form waits for a name it fits
        pool = bare if t in NEEDS_BARE else names
        text = pool[0] if rng.random() < 0.7 else rng.choice(pool)
        n = any_case(text, rng)
    if kind == "entity":
        if t == "branch":
            q, how = "%s, %s Branch" % (n, rng.choice(CITIES)), "branch suffix"
        elif t == "place":
            p, lf = rng.choice(PLACES)
            q, how = "%s (%s) %s" % (n, p, lf), "place and legal form added"
        elif t == "co":
            q, how = "c/o %s" % n, '"c/o" prefix'
        elif t == "co-of":
            q, how = "%s c/o %s" % (f, n), "another party care of it"
        elif t == "behalf":
            q, how = "%s on behalf of %s" % (f, n), '"on behalf of"'
        elif t == "agent":
            q, how = "%s as agent for %s" % (f, n), '"as agent for"'
        elif t == "abbr":
            ab = initials(text)
            english = {"company", "corporation", "trading", "bank", "industries", "group",
                       "organization", "energy", "shipping", "international", "development",
                       "technology", "academy", "institute", "association", "committee"}
            if not english & set(tokens(n)) or re.search(r"\d", n):
                return None
            if len(ab) < 3 or len(ab) > 6 or LEGAL_AT_START.search(n) or "." in n or \
                    any(norm(ab) in l.by_norm for l in ctx.lists.values()):
                return None
            q, how = "%s (%s)" % (n, ab), "its initials in brackets"
        elif t == "semi":
            q, how = ("%s; %s" % (f, n), "two parties separated by ;") if rng.random() < 0.5 \
                else ("%s; %s" % (n, f), "two parties separated by ;")
        elif t == "slash":
            q, how = ("%s / %s" % (n, f), "two parties separated by /") if rng.random() < 0.5 \
                else ("%s/%s" % (f, n), "two parties separated by /")
        elif t == "and":
            q, how = "%s and %s" % (f, n), 'two parties joined by "and"'
        else:
            q, how = "%s %s Representative Office" % (n, rng.choice(CITIES)), \
                "representative office suffix"
    elif kind == "vessel":
        if t == "mv":
            q, how = "MV %s" % n, '"MV" prefix'
        elif t == "m/v":
            q, how = "M/V %s" % n, '"M/V" prefix'
        elif t == "owner":
            q, how = "%s / %s" % (n, f), "vessel and owner in one field"
        else:
            q, how = "%s, %s as managers" % (n, f), "vessel and manager in one field"
    elif kind == "individual":
        if t == "mr":
            female = re.search(r"(ovna|evna|ichna|ivna|kyzy|qizi)\b", text, re.I)
            title_ = "Ms." if female else "Mr."
            q, how = "%s %s" % (title_, n), 'title "%s"' % title_
        elif t == "attn":
            q, how = "%s, attn. %s" % (f, n), "a company to the attention of the person"
        elif t == "director":
            q, how = "%s, General Director" % n, "position added"
        else:
            q, how = "%s / %s" % (f, n), "company and person in one field"
    else:
        return None
    ctx.contained_turn[kind] += 1
    return q, 'from %s "%s" (inside a longer party string: %s)' % (src_label(e, text), text, how)


def make_digits(lst, e, rng, ctx):
    b = disguise_base(lst, e, rng)
    if not b:
        return None
    text, q = b
    pos = [i for i, c in enumerate(q) if c in DIGITS and (i == 0 or q[i - 1] != " " or
                                                           rng.random() < 0.3)]
    pos = [i for i in pos if i > 0 and q[i - 1].isalpha() or i + 1 < len(q) and q[i + 1].isalpha()]
    spans = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+", q)
             if m.group(0).lower() in mq.STOPWORDS or m.group(0).lower() in LEGAL_END]
    pos = [i for i in pos if not any(a <= i < b for a, b in spans)]
    if not pos:
        return None
    n = 1 if len(pos) == 1 or rng.random() < 0.5 else 2
    picks = sorted(rng.sample(pos, n))
    chars = list(q)
    subs = []
    for i in picks:
        subs.append("%s->%s" % (chars[i], DIGITS[chars[i]]))
        chars[i] = DIGITS[chars[i]]
    return "".join(chars), 'from %s "%s" (%s)' % (src_label(e, text), text, ", ".join(subs))


def make_bidi(lst, e, rng, ctx):
    b = disguise_base(lst, e, rng)
    if not b:
        return None
    text, q = b
    style = rng.choice(["rlo-pdf", "rlo-pdf", "rlo", "marks", "rlo-marks"])
    if style in ("rlo-pdf", "rlo", "rlo-marks"):
        inner = q[::-1]
        if style == "rlo-marks":
            sp = [i for i, c in enumerate(inner) if c == " "]
            if sp:
                i = rng.choice(sp)
                inner = inner[:i] + RLM + inner[i:]
            else:
                style = "rlo-pdf"
        q2 = RLO + inner + (PDF if style != "rlo" else "")
        how = {"rlo-pdf": "U+202E RIGHT-TO-LEFT OVERRIDE, the letters reversed, U+202C at the "
                          "end: it displays as the name",
               "rlo": "U+202E RIGHT-TO-LEFT OVERRIDE and the letters reversed, no closing "
                      "U+202C: it displays as the name",
               "rlo-marks": "U+202E, the letters reversed, a U+200F RIGHT-TO-LEFT MARK between "
                            "words, U+202C: it displays as the name"}[style]
    else:
        words = q.split(" ")
        marks = []
        for wi in range(len(words)):
            if rng.random() < 0.6 and len(letter_gaps(words[wi])) >= 2:
                m = rng.choice([LRM, RLM])
                i = rng.choice(letter_gaps(words[wi]))
                words[wi] = words[wi][:i] + m + words[wi][i:]
                marks.append(m)
        if not marks:
            m = rng.choice([LRM, RLM])
            words[0] = m + words[0]
            marks.append(m)
        q2 = " ".join(words)
        how = "%d LRM/RLM mark(s) (U+200E/U+200F) inserted" % len(marks)
    return q2, 'from %s "%s" (%s)' % (src_label(e, text), text, how)


def imo_formats(name, imo, rng):
    f = rng.choice(["sp", "paren", "no", "colon", "mv", "slash", "first", "nosp"])
    return {"sp": "%s IMO %s", "paren": "%s (IMO %s)", "no": "%s, IMO No. %s",
            "colon": "%s IMO: %s", "mv": "MV %s IMO %s", "slash": "%s / IMO %s",
            "first": "IMO %s %s", "nosp": "%s IMO%s"}[f] % (
        (imo, name) if f == "first" else (name, imo))


def make_vessel_imo(lst, e, rng, ctx):
    if e["kind"] != "vessel" or not e.get("imo"):
        return None
    names = usable_names(lst, e)
    if not names:
        return None
    text = names[0]
    imo = e["imo"][0]
    if not imo_valid(imo):
        return None
    n = any_case(text, rng, (0.4, 0.5, 0.1))
    q = imo_formats(n, imo, rng)
    return q, 'from %s "%s" (with its IMO number %s as a document gives it)' % (
        src_label(e, text), text, imo), imo


def make_negative_imo(lst, e, rng, ctx):
    if e["kind"] != "vessel":
        return None
    names = usable_names(lst, e)
    if not names:
        return None
    text = names[0]
    for _ in range(50):
        six = str(rng.choice([7, 8, 9])) + "".join(str(rng.randrange(10)) for _ in range(5))
        imo = imo_with_check(six)
        if imo not in ctx.all_imo:
            break
    else:
        return None
    n = any_case(text, rng, (0.4, 0.5, 0.1))
    q = imo_formats(n, imo, rng)
    listed = "/".join(e.get("imo") or []) or "none"
    return q, ('hard: the name is listed vessel "%s" (%s %s, IMO %s) but IMO %s is another '
               'ship (valid check digit, no listed vessel has it)' % (
                   text, lst.name, e["reference"], listed, imo)), imo


# --- 11. generated near-miss persons ----------------------------------------

KOREAN_GIVEN_SYLLABLES = ["ho", "su", "min", "jin", "il", "nam", "chol", "sik", "hyok", "kwang",
                          "gyu", "hun", "bom", "sok", "hwan", "ung", "man", "won", "hak", "uk"]
CHINESE_GIVEN_SYLLABLES = ["wei", "jun", "hua", "ming", "lei", "jie", "tao", "hao", "bin",
                           "gang", "qiang", "ping", "yong", "feng", "lin", "xin"]


def make_negative_person(lst, e, rng, ctx):
    if e["kind"] != "individual" or pool_of(lst, e) != "DPRK":
        return None
    text = e["names"][0]["text"]
    sur, given = mq.split_person(text, lst)
    korean = mq.is_korean_person(lst, e)
    if korean:
        syl = [s for g in given for s in strip_apos(g).lower().split("-") if s]
        if len(syl) != 2:
            return None
        keep = rng.randrange(2)
        new = rng.choice([s for s in KOREAN_GIVEN_SYLLABLES if s not in syl])
        parts = [syl[0], new] if keep == 0 else [new, syl[1]]
        q = "%s %s" % (title_word(strip_apos(sur)), "-".join(parts).capitalize())
        shared = syl[keep]
    else:
        if "," not in text or len(given) != 1 or not chinese_entry(e):
            return None
        sp = pinyin_splits(given[0].lower(), 3)
        if len(sp) != 1 or len(sp[0]) != 2:
            return None
        syl = sp[0]
        keep = rng.randrange(2)
        new = rng.choice([s for s in CHINESE_GIVEN_SYLLABLES if s not in syl])
        parts = [syl[0], new] if keep == 0 else [new, syl[1]]
        q = "%s %s" % (title_word(sur.strip()), "".join(parts).capitalize())
        shared = syl[keep]
    hit = ctx.negative_conflict(q, True)
    if hit:
        return None
    return q, 'hard: shares surname "%s" and syllable "%s" with "%s" (%s %s), another person' % (
        title_word(strip_apos(sur)), shared, text, lst.name, e["reference"]), ""


# ---------------------------------------------------------------------------
# generation

MAKERS = {
    "syllable-joined": make_joined, "syllable-split": make_split,
    "romanisation-system": make_romanisation, "typo-short": make_typo_short,
    "patronymic-omitted": make_patronymic, "transliteration": make_transliteration,
    "weak-alias": make_weak, "abbreviation": make_abbreviation, "list-age": make_list_age,
    "invisible": make_invisible, "look-alike": make_lookalike, "jamo": make_jamo,
    "contained": make_contained, "digits-for-letters": make_digits, "bidi": make_bidi,
    "vessel-imo": make_vessel_imo, "negative-imo": make_negative_imo,
    "negative-near": make_negative_person,
}
# the order in which pools are drawn from (DPRK first: the project's focus)
PATTERNS = {
    "default": ["DPRK", "DPRK", "RUSSIA", "DPRK", "IRAN", "OTHER"],
    "list-age": ["DPRK", "RUSSIA", "IRAN", "DPRK", "RUSSIA", "IRAN", "OTHER"],
    "typo-short": ["DPRK", "RUSSIA", "IRAN", "OTHER"],
    "weak-alias": ["DPRK", "RUSSIA", "IRAN", "OTHER", "OTHER"],
}


def interleave(cands, pattern):
    by = defaultdict(lambda: defaultdict(list))
    for lst, e in cands:
        by[pool_of(lst, e)][lst.name].append((lst, e))
    queues = {}
    for pool, per_list in by.items():
        q = []
        names = sorted(per_list)
        while any(per_list[n] for n in names):
            for n in names:
                if per_list[n]:
                    q.append(per_list[n].pop(0))
        queues[pool] = q
    out = []
    order = list(pattern) + sorted(p for p in queues if p not in pattern)
    while any(queues.values()):
        for p in order:
            if queues.get(p):
                out.append(queues[p].pop(0))
    return out


def generate(lists, groups, ctx):
    rows = []
    everything = []
    for lname in sorted(lists):
        for e in lists[lname].entries:
            if e["kind"] in ("individual", "entity", "vessel") and not red_team(e):
                everything.append((lists[lname], e))
    seen = set()
    for cat in CATEGORIES:
        rng = random.Random("%d:%s" % (SEED, cat))
        cands = list(everything)
        rng.shuffle(cands)
        cands = interleave(cands, PATTERNS.get(cat, PATTERNS["default"]))
        want = dict(zip(("extended", "heldout"), QUOTAS[cat]))
        got = {"extended": 0, "heldout": 0}
        used = set()
        for lst, e in cands:
            if all(got[p] >= want[p] for p in got):
                break
            g = groups.group(lst.name, e["reference"])
            part = part_of(g)
            if got[part] >= want[part] or g in used:
                continue
            res = MAKERS[cat](lst, e, rng, ctx)
            if not res:
                continue
            q, note = res[0], res[1]
            imo = res[2] if len(res) > 2 else ""
            negative = cat in NEGATIVE_CATEGORIES
            row = {
                "query": q, "type": e["kind"], "list": "ANY" if negative else lst.name,
                "expected": "" if negative else e["reference"], "category": cat,
                "note": note, "imo": imo or "",
            }
            k = (q.casefold(), row["list"], row["type"])
            if k in seen:
                continue
            seen.add(k)
            row["_part"] = part
            row["_group"] = g
            rows.append(row)
            got[part] += 1
            used.add(g)
        for p in ("extended", "heldout"):
            if got[p] < want[p]:
                print("note: %s/%s: %d of %d wanted" % (cat, p, got[p], want[p]),
                      file=sys.stderr)
    return rows


# ---------------------------------------------------------------------------
# validation

def strip_imo(q, imo):
    """The query without the IMO number and the words that introduce it."""
    t = q.replace(imo, " ")
    t = re.sub(r"\bIMO\s*(No\.)?:?|\(\s*\)|^MV\b|\s/\s*$", " ", t)
    return t.strip(" ,/()")


def quoted(note):
    m = re.search(r'"([^"]+)"', note)
    return m.group(1) if m else None


def clean_for(cat, q):
    """The query with the category's disguise undone (what it claims to be)."""
    if cat == "invisible":
        return "".join(c for c in q if not is_ignorable(c))
    if cat == "look-alike":
        return "".join(LOOKALIKE_BACK.get(c, c) for c in q)
    if cat == "bidi":
        return undo_bidi(q)
    return q


def check_positive(r, lst, e, src, ctx, errors, where):
    q, cat = r["query"], r["category"]
    c = clean_for(cat, q)
    if cat not in ("contained", "vessel-imo", "jamo") and \
            other_entry_name(lst, e, c):
        errors.append("%s: the query is a name of another %s" % (where, e["kind"]))
    if cat in ("syllable-joined", "syllable-split"):
        if squash(q) != squash(src):
            errors.append("%s: joining/splitting must keep the letters" % where)
        n_q, n_s = len(tokens(q)), len(tokens(src))
        if (cat == "syllable-joined") != (n_q < n_s) or n_q == n_s:
            errors.append("%s: word count does not show a %s" % (where, cat))
    elif cat == "romanisation-system":
        if rom_key(q) != rom_key(src) or squash(q) == squash(src):
            errors.append("%s: not the same name in another romanisation" % where)
        if not unique_under(lst, e["kind"], rom_key, "rom", q, e["reference"]):
            errors.append("%s: romanisation key shared with another entry" % where)
    elif cat == "typo-short":
        qt, st = tokens(q), tokens(src)
        diff = [(a, b) for a, b in zip(qt, st) if a != b]
        if len(qt) != len(st) or len(diff) != 1 or not 3 <= len(diff[0][1]) <= 5 or \
                mq.osa_distance(diff[0][0], diff[0][1]) != 1:
            errors.append("%s: typo-short must change one 3-5 letter word by one edit" % where)
        elif not ctx.closest_is(lst, q, e["reference"]):
            errors.append("%s: another entry is at least as close" % where)
    elif cat == "patronymic-omitted":
        p = patronymic_parts(src)
        if not p or sorted(tokens(q)) != sorted(tokens(p[0]) + tokens(p[1])):
            errors.append("%s: must be the name without its patronymic" % where)
        elif not short_name_unique(lst, e, p[0], p[1]):
            errors.append("%s: the short name is shared by another person" % where)
    elif cat == "transliteration":
        qt = sorted(translit_tokens(q))
        st = translit_tokens(src)
        p = patronymic_parts(src)
        short = tokens(p[0]) + tokens(p[1]) if p else tokens(src)
        st_short = [translit_token(t) for t in short]
        if qt != sorted(st) and qt != sorted(st_short):
            errors.append("%s: not a transliteration variant of %r" % (where, src))
        if sorted(tokens(q)) == sorted(tokens(src)) or sorted(tokens(q)) == sorted(short):
            errors.append("%s: spelling unchanged" % where)
        if not unique_under(lst, "individual", translit_key, "translit", q, e["reference"]):
            errors.append("%s: transliteration key shared with another person" % where)
    elif cat == "weak-alias":
        if norm(q) != norm(src) or not any(n["text"] == src and n["quality"] == "weak"
                                           for n in e["names"]):
            errors.append("%s: not the entry's weak alias" % where)
    elif cat == "abbreviation":
        if abbr_key(q) != abbr_key(src) or norm(q) == norm(src):
            errors.append("%s: must only abbreviate or expand words" % where)
    elif cat == "list-age":
        if lst.name != "OFAC_SDN" or e["reference"] in ctx.old_refs or \
                squash(src) in ctx.old_names:
            errors.append("%s: the entry or name is in the 2021-07 release" % where)
        if squash(q) != squash(src):
            errors.append("%s: list-age changes only case/punctuation" % where)
    elif cat == "invisible":
        if squash(c) != squash(src) or c == q:
            errors.append("%s: not the name with invisible characters" % where)
        if not any(is_ignorable(ch) and 0 < i < len(q) - 1 and q[i - 1].isalpha()
                   for i, ch in enumerate(q)):
            errors.append("%s: no invisible character inside a word" % where)
    elif cat == "look-alike":
        if squash(c) != squash(src) or c == q:
            errors.append("%s: not the name with look-alike letters" % where)
        if not re.search("[\u0370-\u03ff\u0400-\u04ff]", q) or not re.search("[A-Za-z]", q):
            errors.append("%s: look-alike must mix Latin with Cyrillic/Greek" % where)
    elif cat == "jamo":
        js = jamo_source(lst, e)
        if re.search("[\uac00-\ud7a3]", q) or not re.search("[\u1100-\u11ff\u3131-\u318e]", q):
            errors.append("%s: jamo rows have jamo and no precomposed syllables" % where)
        elif not js or js[1] != src or (unicodedata.normalize("NFC", q) != js[0]
                                        and from_compat(q) != js[0]):
            errors.append("%s: the jamo do not compose to the entry's Hangul" % where)
    elif cat == "contained":
        qt, st = tokens(q), tokens(src)
        if not any(qt[i:i + len(st)] == st for i in range(len(qt) - len(st) + 1)) or \
                len(qt) <= len(st):
            errors.append("%s: the listed name is not inside a longer string" % where)
    elif cat == "digits-for-letters":
        a, b = squash(q), squash(src)
        diff = [(x, y) for x, y in zip(a, b) if x != y]
        if len(a) != len(b) or not 1 <= len(diff) <= 2 or \
                any(x not in DIGIT_BACK or y not in DIGIT_BACK[x] for x, y in diff):
            errors.append("%s: must replace one or two letters by digits" % where)
    elif cat == "bidi":
        if squash(c) != squash(src) or not any(ch in BIDI_CONTROLS for ch in q):
            errors.append("%s: not the name with bidi controls" % where)
    elif cat == "vessel-imo":
        imo = r["imo"]
        if e["kind"] != "vessel" or imo not in (e.get("imo") or []) or imo not in q:
            errors.append("%s: IMO %r is not the vessel's, or not in the query" % (where, imo))
        rest = strip_imo(q, imo)
        if squash(rest) != squash(src):
            errors.append("%s: the query is not the vessel's name and IMO" % where)
    if cat != "vessel-imo" and r["imo"]:
        errors.append("%s: only vessel-imo positives carry an IMO" % where)


def validate(rows, lists, ctx, groups):
    errors = []
    seen = set()
    parts = defaultdict(set)
    for i, r in enumerate(rows):
        where = "row %d (%s %r)" % (i + 1, r["category"], r["query"])
        if set(k for k in r if not k.startswith("_")) != set(COLUMNS):
            errors.append("%s: bad columns" % where)
            continue
        cat = r["category"]
        if cat not in CATEGORIES:
            errors.append("%s: unknown category" % where)
            continue
        if r["type"] not in TYPES:
            errors.append("%s: bad type %r" % (where, r["type"]))
        q = r["query"]
        if not q.strip() or q != q.strip():
            errors.append("%s: empty or padded query" % where)
        if r["imo"] and not imo_valid(r["imo"]):
            errors.append("%s: %r is not a valid IMO number" % (where, r["imo"]))
        k = (q.casefold(), r["list"], r["type"])
        if k in seen:
            errors.append("%s: duplicate query" % where)
        seen.add(k)
        if cat in NEGATIVE_CATEGORIES:
            if r["list"] != "ANY" or r["expected"]:
                errors.append("%s: negatives use list ANY and no expected" % where)
                continue
            if not r["note"].strip():
                errors.append("%s: a negative's note says why it is hard" % where)
            if cat == "negative-near":
                hit = ctx.negative_conflict(q, r["type"] == "individual")
                if hit:
                    errors.append("%s: negative conflicts with %s %s %r (%s)" % ((where,) + hit))
            else:
                imo = r["imo"]
                if r["type"] != "vessel" or not imo or imo in ctx.all_imo or imo not in q:
                    errors.append("%s: negative-imo needs an unlisted valid IMO in the query"
                                  % where)
                name = squash(strip_imo(q, imo or "#"))
                if name not in ctx.vessel_names:
                    errors.append("%s: the name is not a listed vessel's name" % where)
            continue
        if r["list"] not in lists:
            errors.append("%s: unknown list %r" % (where, r["list"]))
            continue
        lst = lists[r["list"]]
        refs = r["expected"].split("|")
        if not r["expected"] or any(x not in lst.by_ref for x in refs):
            errors.append("%s: unknown reference(s) %r in %s" % (where, r["expected"], lst.name))
            continue
        e = lst.by_ref[refs[0]]
        if r["type"] and r["type"] != e["kind"]:
            errors.append("%s: type %s but entry kind %s" % (where, r["type"], e["kind"]))
        if red_team(e):
            errors.append("%s: entry used in the red team's examples" % where)
        src = quoted(r["note"])
        if not src:
            errors.append("%s: note must quote the source name" % where)
            continue
        if not any(src == n["text"] for n in e["names"]):
            errors.append("%s: %r is not a name of %s" % (where, src, r["expected"]))
            continue
        check_positive(r, lst, e, src, ctx, errors, where)
        parts[r["_part"]].add(groups.group(lst.name, e["reference"]))
        if groups.part(lst.name, e["reference"]) != r["_part"]:
            errors.append("%s: in the wrong file for its entry" % where)
    if parts["extended"] & parts["heldout"]:
        errors.append("entries in both files: %s" % sorted(parts["extended"] & parts["heldout"]))
    return errors


# ---------------------------------------------------------------------------
# main

def read_handwritten():
    if not os.path.exists(HANDWRITTEN):
        return []
    with open(HANDWRITTEN, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            raise SystemExit("extended-handwritten.csv: columns must be %s" % ",".join(COLUMNS))
        rows = [dict(r) for r in reader]
    for r in rows:
        if r["category"] not in HAND_CATEGORIES:
            raise SystemExit("extended-handwritten.csv: category %r belongs to the generator"
                             % r["category"])
        r["_part"] = part_of("negative:" + norm(r["query"]))
        r["_group"] = "negative:" + norm(r["query"])
    return rows


def sort_key(r):
    return (CATEGORIES.index(r["category"]), r["list"], natural(r["expected"]),
            r["query"].casefold(), r["query"])


def build_context(lists):
    ctx = mq.Context(lists)
    ctx.old_refs, ctx.old_names = load_old_ofac()
    ctx.all_imo = set()
    ctx.vessel_names = set()
    for lst in lists.values():
        for e in lst.entries:
            ctx.all_imo.update(e.get("imo") or [])
            ctx.all_imo.update(re.findall(r"\b\d{7}\b", e.get("remarks") or ""))
            if e["kind"] == "vessel":
                ctx.vessel_names.update(squash(n["text"]) for n in e["names"])
    ctx.contained_turn = defaultdict(int)
    ctx.fillers = []
    for f in FILLERS:
        hit = ctx.negative_conflict(f, False)
        if hit:
            raise SystemExit("filler %r is too close to a listed name: %r" % (f, hit))
        if any(r in norm(f) for r in RED_TEAM_FILLERS):
            raise SystemExit("filler %r is one of the red team's" % f)
        ctx.fillers.append(f)
    return ctx


def counts_table(rows):
    """Markdown table: category x list counts for one file."""
    lists = ["UN_SC", "OFAC_SDN", "UN_1718_VESSELS", "ANY"]
    c = defaultdict(int)
    for r in rows:
        c[(r["category"], r["list"])] += 1
    out = ["| category | UN_SC | OFAC_SDN | UN_1718_VESSELS | ANY | total |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    tot = defaultdict(int)
    for cat in CATEGORIES:
        vals = [c[(cat, l)] for l in lists]
        for l, v in zip(lists, vals):
            tot[l] += v
        out.append("| `%s` | %s | %d |" % (cat, " | ".join(str(v) for v in vals), sum(vals)))
    out.append("| total | %s | %d |" % (" | ".join(str(tot[l]) for l in lists),
                                         sum(tot.values())))
    return "\n".join(out)


def main():
    lists = load_lists()
    groups = Groups(lists)
    ctx = build_context(lists)
    rows = generate(lists, groups, ctx)
    rows.extend(read_handwritten())
    errors = validate(rows, lists, ctx, groups)
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        raise SystemExit("%d labelling error(s); nothing written" % len(errors))
    for part, path in sorted(OUTPUTS.items()):
        mine = sorted((r for r in rows if r["_part"] == part), key=sort_key)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n",
                           quoting=csv.QUOTE_MINIMAL, extrasaction="ignore")
        w.writeheader()
        for r in mine:
            w.writerow(r)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
        print("wrote %s: %d rows" % (os.path.relpath(path, ROOT), len(mine)))
        if "--counts" in sys.argv:
            print(counts_table(mine))


if __name__ == "__main__":
    main()
