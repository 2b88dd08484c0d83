#!/usr/bin/env python3
"""Generates a CSV of party names for the screening benchmark (`name,type,country`).

A back office's customer file: mostly unlisted companies and people made up
from common name parts of the trading regions (China, Korea, Russia, the Gulf,
Europe, South-East Asia), and about one in two hundred a listed name, written
as the lists write it or with a small change. Seeded: the same arguments give
the same file.

    python3 benches/gen_names.py 1000000 > /tmp/names.csv
"""
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLACES = ["Dalian", "Dandong", "Shenyang", "Qingdao", "Shanghai", "Ningbo", "Shenzhen", "Guangzhou", "Hong Kong",
          "Singapore", "Busan", "Incheon", "Vladivostok", "Nakhodka", "Dubai", "Sharjah", "Jebel Ali", "Rotterdam",
          "Hamburg", "Antwerp", "Bangkok", "Jakarta", "Manila", "Ho Chi Minh", "Kaohsiung", "Osaka", "Tianjin",
          "Yantai", "Harbin", "Hunchun", "Ulsan", "Mokpo", "Klang", "Penang", "Colombo", "Karachi", "Istanbul"]
WORDS = ["Golden", "Star", "Ocean", "Pacific", "Bright", "Great", "Wall", "Dragon", "Phoenix", "Lucky", "Jade",
         "Silk", "Road", "Harmony", "Prosperity", "United", "Eastern", "Northern", "Blue", "Sky", "Sun", "Moon",
         "Crystal", "Diamond", "Silver", "Iron", "Steel", "Green", "Field", "River", "Mountain", "Sea", "Wave",
         "Hongsheng", "Xinhua", "Huaxin", "Jinlong", "Tianli", "Fuxing", "Hanil", "Daesung", "Samil", "Kumho",
         "Severny", "Vostok", "Baltika", "Al Noor", "Al Safa", "Al Majid", "Nordic", "Alpine", "Meridian", "Apex"]
TRADES = ["Trading", "Import Export", "Shipping", "Logistics", "Metals", "Minerals", "Chemicals", "Textiles",
          "Seafood", "Machinery", "Electronics", "Energy", "Petroleum", "Resources", "Industrial", "Marine",
          "Agriculture", "Food", "Garments", "Coal", "Commodities", "Holdings", "Investment", "Technology"]
FORMS = ["Co., Ltd", "Co Ltd", "Company Limited", "Ltd", "LLC", "Inc.", "GmbH", "B.V.", "Pte Ltd", "FZE", "LLP",
         "S.A.", "OOO", "JSC", "Corporation", "Corp.", "Sdn Bhd", "PT", "Limited", "Group"]
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Kim", "Lee", "Park",
            "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Ivanov", "Smirnov", "Kuznetsov", "Popov",
            "Petrov", "Sokolov", "Al Hashimi", "Al Mansouri", "Khan", "Rahman", "Nguyen", "Tran", "Tanaka",
            "Suzuki", "Smith", "Johnson", "Muller", "Schmidt", "Rossi", "Garcia", "Silva", "Santos", "Ozturk"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Hui", "Yan", "Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun",
         "Dong-hyun", "Sergei", "Olga", "Dmitry", "Elena", "Alexei", "Ahmed", "Fatima", "Omar", "Layla", "Minh",
         "Hiroshi", "Yuki", "John", "Mary", "David", "Anna", "Thomas", "Laura", "Marco", "Sofia", "Carlos"]
COUNTRIES = ["CN", "HK", "SG", "KR", "RU", "AE", "NL", "DE", "TH", "ID", "PH", "VN", "TW", "JP", "MY", "TR", "GB"]


def listed_names():
    names = []
    for f in ["UN_SC.json", "OFAC_SDN.json"]:
        snap = json.loads((ROOT / "seeds" / "lists" / f).read_text(encoding="utf-8"))
        for e in snap["entries"]:
            if e["kind"] in ("individual", "entity"):
                names.extend(n["text"] for n in e["names"] if n["quality"] != "weak")
    return names


def typo(rng, name):
    i = rng.randrange(len(name))
    return name[:i] + name[i + 1:] if len(name) > 8 else name


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(20261128)
    listed = listed_names()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name", "type", "country"])
    for _ in range(n):
        r = rng.random()
        if r < 0.005:
            name = rng.choice(listed)
            if rng.random() < 0.3:
                name = typo(rng, name)
            out.writerow([name, "", ""])
        elif r < 0.6:
            parts = [rng.choice(PLACES)] if rng.random() < 0.5 else []
            parts += [rng.choice(WORDS)]
            if rng.random() < 0.4:
                parts.append(rng.choice(WORDS))
            parts += [rng.choice(TRADES), rng.choice(FORMS)]
            out.writerow([" ".join(parts), "entity", rng.choice(COUNTRIES)])
        else:
            name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}" if rng.random() < 0.5 else \
                f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
            out.writerow([name, "individual", rng.choice(COUNTRIES)])


if __name__ == "__main__":
    main()
