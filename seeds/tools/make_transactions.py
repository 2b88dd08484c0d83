#!/usr/bin/env python3
"""Generate Cordon's sample transaction files.

    python3 seeds/tools/make_transactions.py            # from the repository root

writes, under seeds/transactions/:

* trade-2016-2019.csv  about 2,750 trade records in the standard schema: ordinary
                       trade that passes, records that make each of the 62 UN DPRK
                       rules fire, and a few deliberately malformed rows;
* sample.jsonl         about 60 of those records as JSON Lines, plus 2 broken lines;
* erp-export.csv       40 records as a firm's ERP exports them (own column names,
                       `;`, DD/MM/YYYY, decimal comma); read it with
                       seeds/config/example-config.yaml.

Python 3 standard library only. Deterministic: every random choice comes from
random.Random(SEED), so two runs give byte-identical files. The script reads only
files under seeds/ (the schema, the HS 2022 nomenclature, the ISO country list and
the UN 1718 lists) and writes only under seeds/transactions/.

Options:
    --out DIR         write the three files to DIR instead of seeds/transactions/
    --manifest FILE   also write, as JSON, the rules each hit row is built to fire
                      (id -> [rule ids]); for checking the output against `cordon check`
"""

import argparse
import csv
import io
import json
import random
import re
import sys
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 1718
N_ORDINARY = 2600

SEEDS = Path(__file__).resolve().parent.parent
SCHEMA = SEEDS / "schema" / "trade-transaction.yaml"
HS_FILE = SEEDS / "reference" / "hs-2022.csv"
ISO_FILE = SEEDS / "reference" / "iso-3166-1.csv"
PARTIES_FILE = SEEDS / "lists" / "un-1718-parties.csv"
VESSELS_FILE = SEEDS / "lists" / "un-1718-vessels.csv"

START = date(2016, 1, 1)
END = date(2019, 12, 31)


# ───────────────────────────── reference data ─────────────────────────────


def schema_fields():
    """The columns written: the schema's fields in schema order, up to
    `contract_date` (the party roles after it are left to files that have them)."""
    names = re.findall(r"^  - name: (\w+)\s*$", SCHEMA.read_text(encoding="utf-8"), re.M)
    assert names[0] == "id" and names[19] == "contract_date", names
    return names[:20]


def hs_descriptions():
    with HS_FILE.open(encoding="utf-8", newline="") as f:
        return {r["hscode"]: r["description"] for r in csv.DictReader(f) if r["level"] == "6"}


def iso_codes():
    with ISO_FILE.open(encoding="utf-8", newline="") as f:
        return {r["alpha2"] for r in csv.DictReader(f)}


def normalize(name):
    """The name folding of src/values/name.rs: lowercase, quotes dropped, every
    other non-alphanumeric character a space, spaces collapsed."""
    out, pending = [], False
    for c in name:
        if c in "'’‘`´\"“”«»„":
            continue
        if c.isalnum():
            if pending and out:
                out.append(" ")
            pending = False
            out.append(c.lower())
        else:
            pending = True
    return "".join(out)


def designated():
    """Normalised designated party names (with listing dates), vessel names and IMO numbers."""
    parties = {}
    with PARTIES_FILE.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            parties.setdefault(normalize(r["name"]), r["listed_on"])
    vnames, imos = {}, {}
    with VESSELS_FILE.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            vnames.setdefault(normalize(r["name"]), r)
            if r["imo"]:
                imos[r["imo"]] = r
    return parties, vnames, imos


def imo_check(six):
    """The IMO check digit: digits weighted 7..2, sum mod 10."""
    return sum(int(d) * w for d, w in zip(six, range(7, 1, -1))) % 10


def imo(six):
    six = str(six)
    assert len(six) == 6
    return six + str(imo_check(six))


# ───────────────────────────── ordinary trade ─────────────────────────────

# Company names are fictional. Each country's list is written in its own
# language and script where firms commonly register that way. The letters say
# what a firm trades in: F food and farm goods, K coal, E oil and gas, O ores
# and metals, C chemicals, plastics, rubber and medical goods, T textiles and
# footwear, M machinery, D electronics and appliances, V vehicles and cycles,
# W wood, paper and furniture, A aircraft, G general trading.
COMPANIES = {
    "CN": [("上海东华进出口有限公司", "G"), ("Ningbo Yongxin Trading Co., Ltd.", "G"),
           ("Shenzhen Lianchuang Electronics Co., Ltd.", "D"), ("青岛海润国际贸易有限公司", "FO"),
           ("Tianjin Bohai Steel Trading Co., Ltd.", "O"), ("Guangzhou Jinfeng Garments Co., Ltd.", "T"),
           ("厦门鹭江供应链有限公司", "GFW"), ("Dalian Xinggang Logistics Co., Ltd.", "G"),
           ("Zhejiang Qiantang Machinery Co., Ltd.", "M"), ("江苏长风化工有限公司", "C"),
           ("Shandong Jinlu Energy Co., Ltd.", "EK"), ("Fujian Minjiang Woodworking Co., Ltd.", "W"),
           ("Xiangjiang Airlines Leasing Co., Ltd.", "A"), ("Chongqing Changjiang Motor Co., Ltd.", "V")],
    "JP": [("株式会社みなと商事", "G"), ("Sakura Precision Industries Co., Ltd.", "M"), ("東邦精機株式会社", "M"),
           ("Kansai Koeki Corporation", "GF"), ("Hokuriku Chemical Co., Ltd.", "C"), ("株式会社青葉物産", "FG"),
           ("日本海エネルギー株式会社", "EK"), ("Chubu Steel Works Co., Ltd.", "O"), ("Setouchi Air Lease K.K.", "A"),
           ("Mikawa Motor Corporation", "V"), ("株式会社ひかり電機", "D")],
    "KR": [("대한무역 주식회사", "G"), ("한빛전자 주식회사", "D"), ("Busan Seafood Co., Ltd.", "F"),
           ("(주)동해석유화학", "CE"), ("Seorin Steel Co., Ltd.", "O"), ("새한정밀 주식회사", "M"), ("동양섬유 주식회사", "T"),
           ("남해발전연료 주식회사", "K"), ("Gyeongnam Motors Co., Ltd.", "V")],
    "DE": [("Rheinland Maschinenbau GmbH", "M"), ("Hanseatisches Handelskontor GmbH & Co. KG", "GF"),
           ("Müller & Söhne Feinmechanik GmbH", "M"), ("Süddeutsche Antriebstechnik GmbH", "MV"),
           ("Nordsee Agrarhandel GmbH", "F"), ("Weißenfels Chemie GmbH", "C"), ("Ruhr Energiehandel GmbH", "EK"),
           ("Bremer Textilimport GmbH", "T"), ("Schwarzwald Holzwerke GmbH", "W"), ("Elektrohandel Rhein-Main GmbH", "D"),
           ("Fahrradwerk Münsterland GmbH", "V"), ("Duisburger Metallhandel GmbH", "O")],
    "NL": [("Van der Berg Agri B.V.", "F"), ("Rotterdam Bulk Trading B.V.", "KOG"), ("De Vries Zuivel B.V.", "F"),
           ("Hollandse Machinehandel B.V.", "M"), ("Zeeland Chemie B.V.", "C"), ("Amstel Elektronica B.V.", "D"),
           ("Hollandse Fietsen B.V.", "V"), ("Maasvlakte Olie Handel B.V.", "E")],
    "US": [("Great Lakes Grain Company LLC", "F"), ("Pacific Coast Machinery Inc.", "M"),
           ("Lone Star Petrochemicals LLC", "EC"), ("Appalachian Coal Sales Corp.", "K"), ("Bayview Electronics Inc.", "D"),
           ("Midwest Ag Exports LLC", "F"), ("Atlantic Apparel Imports Inc.", "T"), ("Cascade Lumber Sales Inc.", "W"),
           ("Liberty Medical Supply Inc.", "C"), ("Cascade Aerospace Sales Corp.", "A"), ("Hudson General Merchandise Inc.", "G"),
           ("Gulf Coast LNG Marketing LLC", "E"), ("Copper State Metals Inc.", "O"), ("Heartland Auto Distributors Inc.", "V")],
    "VN": [("Công ty TNHH Dệt May Sài Gòn Xanh", "T"), ("Công ty Cổ phần Thủy sản Mekong Việt", "F"),
           ("Công ty TNHH Điện tử Hà Nội Tân Tiến", "D"), ("Công ty Cổ phần Lương thực Cửu Long", "F"),
           ("Công ty Cổ phần Thép Duyên Hải", "O"), ("Công ty TNHH Gỗ Bình Dương", "W"), ("Công ty TNHH Thương mại Hồng Hà", "G"),
           ("Công ty Cổ phần Năng lượng Sông Hồng", "EK")],
    "IN": [("Bharat Agro Exports Pvt. Ltd.", "F"), ("Sahyadri Pharmaceuticals Ltd.", "C"),
           ("Coromandel Cotton Mills Pvt. Ltd.", "T"), ("Narmada Steel Traders Pvt. Ltd.", "O"),
           ("Deccan Engineering Works Pvt. Ltd.", "M"), ("Deccan Skies Aviation Pvt. Ltd.", "A"), ("Konkan Traders Pvt. Ltd.", "G"),
           ("Konkan Energy Ltd.", "EK"), ("Bengal Electronics Distributors Pvt. Ltd.", "D")],
    "TH": [("Siam Rice Export Co., Ltd.", "F"), ("บริษัท ไทยยางพารา จำกัด", "C"), ("Chao Phraya Auto Parts Co., Ltd.", "V"),
           ("Bangkok Sugar Trading Co., Ltd.", "F"), ("Eastern Seaboard Petrochem Co., Ltd.", "CE"), ("บริษัท สยามเทรดดิ้ง จำกัด", "G"),
           ("Siam Electric Appliance Co., Ltd.", "D"), ("บริษัท พลังงานตะวันออก จำกัด", "K")],
    "SG": [("Straits Commodities Pte. Ltd.", "GFKO"), ("Lion City Petroleum Pte. Ltd.", "E"),
           ("Marina Bay Electronics Pte. Ltd.", "D"), ("Merlion Aviation Capital Pte. Ltd.", "A")],
    "MY": [("Kelang Palm Oil Refinery Sdn. Bhd.", "F"), ("Penang Semiconductor Sdn. Bhd.", "D"),
           ("Syarikat Perdagangan Nusantara Sdn. Bhd.", "G"), ("Johor Petrokimia Sdn. Bhd.", "CE"), ("Tenaga Bahan Api Sdn. Bhd.", "K")],
    "ID": [("PT Sumber Makmur Sawit", "F"), ("PT Kalimantan Batubara Sejahtera", "K"), ("PT Jaya Karet Nusantara", "C"),
           ("PT Tekstil Bandung Raya", "T"), ("PT Mebel Jepara Indah", "W"), ("PT Niaga Samudra Jaya", "G"),
           ("PT Energi Nusa Timur", "E")],
    "RU": [("ООО «Северный Морской Путь»", "G"), ("АО «Кузбасская Угольная Компания»", "K"),
           ("ООО «Приморская Топливная Компания»", "E"), ("ООО «Уральский Металл»", "O"), ("ООО «Сибирский Лес»", "W"),
           ("Volga Agro Export LLC", "F"), ("ПАО «Балтийская Зерновая Компания»", "F"), ("ООО «Химпром-Волга»", "C"),
           ("ООО «Невский Дом Электроники»", "D"), ("ООО «Ямал Газ Трейдинг»", "E")],
    "MN": [("Говь Уул ХХК", "O"), ("Khangai Mining Trade LLC", "KO"), ("Өмнөговь Нүүрс ХХК", "K"), ("Улаанбаатар Импекс ХХК", "G")],
    "BR": [("Agropecuária Cerrado Verde Ltda.", "F"), ("Mineração Serra Azul S.A.", "O"),
           ("Café Montanhas do Sul Exportadora Ltda.", "F"), ("Calçados Vale do Sinos Ltda.", "T"),
           ("Petroquímica Guanabara S.A.", "CE"), ("Importadora Paulista Ltda.", "GMDV")],
    "TR": [("Anadolu Tekstil Sanayi ve Ticaret A.Ş.", "T"), ("Ege Çelik Dış Ticaret A.Ş.", "O"),
           ("Boğaziçi Gıda İhracat Ltd. Şti.", "F"), ("Marmara Makine Sanayi A.Ş.", "MV"), ("Anatolian Sky Leasing A.Ş.", "A"),
           ("İstanbul Genel Ticaret A.Ş.", "GCD"), ("Trakya Enerji A.Ş.", "EK")],
    "GB": [("Thames Valley Instruments Ltd", "M"), ("Northern Spirits Distillers Ltd", "F"), ("Mersey Chemicals plc", "C"),
           ("Humber Energy Trading Ltd", "E"), ("Pennine Apparel Ltd", "T"), ("Avon Aircraft Leasing Ltd", "A"),
           ("Solent Wholesale Ltd", "GW"), ("Midlands Electricals Ltd", "D"), ("Coventry Motor Imports Ltd", "V"),
           ("Sheffield Alloys Ltd", "O")],
    "FR": [("Société Lyonnaise de Mécanique SARL", "M"), ("Château Belle-Rive Négociants SAS", "F"),
           ("Compagnie Céréalière de Beauce SA", "F"), ("Laboratoires Rhône-Santé SA", "C"), ("Aéro-Garonne SAS", "A"),
           ("Textiles du Nord SARL", "T"), ("Énergies Atlantique SAS", "E"), ("Comptoir Marseillais d'Import SARL", "GWD"),
           ("Cycles et Motos de Bretagne SARL", "V")],
    "IT": [("Meccanica Padana S.r.l.", "M"), ("Vini dell'Etna S.r.l.", "F"), ("Tessitura Comasca S.p.A.", "T"),
           ("Acciaierie del Friuli S.p.A.", "O"), ("Farmaceutici Ambrosiani S.p.A.", "C"), ("Calzaturificio Marche S.r.l.", "T"),
           ("Mobilifici Brianza S.r.l.", "W"), ("Commercio Tirrenico S.r.l.", "GDV"), ("Raffineria Adriatica S.p.A.", "E")],
    "PL": [("Łódź Tekstylia Sp. z o.o.", "T"), ("Przedsiębiorstwo Handlowe Wisła S.A.", "G"),
           ("Zakłady Mięsne Mazowsze Sp. z o.o.", "F"), ("Gdańskie Maszyny Rolnicze Sp. z o.o.", "M"),
           ("Sadownicy Grójeccy Sp. z o.o.", "F"), ("Śląskie Surowce Energetyczne S.A.", "KO"), ("Meble Wielkopolska Sp. z o.o.", "W"),
           ("Elektro-Mazury Sp. z o.o.", "D"), ("Auto-Części Poznań Sp. z o.o.", "V")],
    "CZ": [("Česká strojírna Brno s.r.o.", "M"), ("Moravské sklárny a.s.", "G"), ("Plzeňská elektrotechnika s.r.o.", "D"),
           ("Ostravská ocel s.r.o.", "O"), ("Pražská obchodní společnost s.r.o.", "GCF"), ("Mladoboleslavské autodíly s.r.o.", "V")],
    "UA": [("ТОВ «Дніпровський Зерновий Термінал»", "F"), ("ТОВ «Приазовський Метал»", "OK"), ("Odesa Agro Trade LLC", "F"),
           ("ТОВ «Київ Імпорт Груп»", "GMCDV")],
    "AE": [("Al Noor General Trading LLC", "GFTV"), ("Gulf Horizon Petroleum FZE", "EC"), ("Jebel Ali Electronics FZCO", "D"),
           ("Deira Bullion Trading DMCC", "O"), ("Falcon Crest Aviation Leasing LLC", "A")],
    "ZA": [("Highveld Minerals (Pty) Ltd", "KO"), ("Cape Fruit Exporters (Pty) Ltd", "F"), ("Durban Bulk Importers (Pty) Ltd", "GCMDVE")],
    "AU": [("Pilbara Ore Sales Pty Ltd", "O"), ("Hunter Valley Coal Marketing Pty Ltd", "K"), ("Southern Cross Grain Pty Ltd", "F"),
           ("Sydney Harbour Imports Pty Ltd", "GMTWDV"), ("Murray River Wines Pty Ltd", "F"), ("Bass Strait LNG Marketing Pty Ltd", "E")],
    "CA": [("Prairie Harvest Grain Inc.", "F"), ("Forêts Laurentiennes Ltée", "W"), ("Northern Potash Sales Corp.", "C"),
           ("Great White North Auto Imports Inc.", "V"), ("Maple Leaf Apparel Distributors Inc.", "TG"),
           ("Athabasca Crude Marketing Inc.", "E"), ("Sudbury Metals Sales Inc.", "O"), ("Ontario Electronics Wholesale Inc.", "D"),
           ("Elk Valley Coal Sales Ltd.", "K")],
    "MX": [("Maquiladora del Norte S.A. de C.V.", "DM"), ("Autopartes del Bajío S.A. de C.V.", "V"),
           ("Comercializadora Aztlán S.A. de C.V.", "GT"), ("Aguacates y Cítricos de Michoacán S.A. de C.V.", "F"),
           ("Petroquímica del Golfo S.A. de C.V.", "EC"), ("Minera Sierra Madre S.A. de C.V.", "O")],
    "ES": [("Aceites del Guadalquivir S.L.", "F"), ("Cítricos de Valencia S.A.", "F"), ("Importaciones Mediterráneo S.L.", "GTD"),
           ("Energía Cantábrica S.A.", "EK")],
    "BE": [("Scheldt Chemicals NV", "C"), ("Brabant Chocolatiers BV", "F"), ("Antwerpse Handelsmaatschappij NV", "GO")],
    "CH": [("Helvetia Pharma AG", "C"), ("Jura Präzisionsuhren SA", "M"), ("Genfer Rohstoffhandel SA", "EKOFG")],
    "HK": [("香港永達貿易有限公司", "GD"), ("Harbourfront Bullion (HK) Ltd.", "O")],
    "TW": [("Hsinchu Microsystems Co., Ltd.", "D"), ("台中鐵馬自行車股份有限公司", "V"), ("台北聯合貿易股份有限公司", "GF")],
    "CL": [("Minera Cordillera Norte SpA", "O")],
    "FI": [("Savon Saha Oy", "W")],
    "SE": [("Norrlands Trävaror AB", "W")],
    "IE": [("Shannon Medical Devices Ltd", "C")],
    "DZ": [("SARL Atlas Lait Distribution", "FG")],
    "BD": [("Chittagong Spinning Mills Ltd.", "TG")],
}


def company(rng, country, sector):
    """A firm of the country that trades in the sector, else a general trader."""
    firms = COMPANIES[country]
    fits = [n for n, s in firms if sector in s] or [n for n, s in firms if "G" in s] or [n for n, _ in firms]
    return rng.choice(fits)


COUNTRIES = list(COMPANIES)

# Importers, weighted roughly by the size of their import trade.
IMPORTERS = (["CN"] * 9 + ["US"] * 9 + ["DE"] * 7 + ["JP"] * 5 + ["GB"] * 4 + ["FR"] * 4 + ["NL"] * 4 + ["KR"] * 4
             + ["IN"] * 3 + ["IT"] * 3 + ["MX"] * 3 + ["CA"] * 3 + ["BE"] * 2 + ["ES"] * 2 + ["SG"] * 2 + ["PL"] * 2
             + ["VN"] * 2 + ["TH"] * 2 + ["MY"] * 2 + ["ID"] * 2 + ["RU"] * 2 + ["TR"] * 2 + ["AE"] * 2 + ["AU"] * 2
             + ["BR"] * 2 + ["CZ"] + ["UA"] + ["ZA"] + ["CH"] + ["MN"])

# Currency a seller in the country invoices in, other than USD, and how often.
LOCAL_CURRENCY = {
    "DE": ("EUR", 0.6), "NL": ("EUR", 0.6), "FR": ("EUR", 0.6), "IT": ("EUR", 0.6), "ES": ("EUR", 0.6),
    "BE": ("EUR", 0.6), "CZ": ("EUR", 0.5), "PL": ("EUR", 0.4), "GB": ("GBP", 0.4), "JP": ("JPY", 0.3),
    "CN": ("CNY", 0.15), "RU": ("RUB", 0.1), "CH": ("CHF", 0.4),
}
# Units of currency per US dollar, yearly averages, rounded.
FX = {
    "EUR": {2016: "0.904", 2017: "0.887", 2018: "0.848", 2019: "0.893"},
    "GBP": {2016: "0.741", 2017: "0.777", 2018: "0.750", 2019: "0.784"},
    "JPY": {2016: "108.8", 2017: "112.2", 2018: "110.4", 2019: "109.0"},
    "CNY": {2016: "6.644", 2017: "6.759", 2018: "6.616", 2019: "6.908"},
    "RUB": {2016: "67.06", 2017: "58.34", 2018: "62.67", 2019: "64.74"},
    "CHF": {2016: "0.985", 2017: "0.985", 2018: "0.978", 2019: "0.994"},
}

# Goods: HS 2022 subheading, unit, quantity range, USD price per unit (range),
# typical origins, typical destinations (None: any importer), transport mode,
# the sector of the firms that trade it (see COMPANIES).
BULK_DEST = ["CN", "JP", "KR", "IN", "TR", "DE", "NL", "VN", "MY", "TH"]
GOODS = [
    ("100630", "t", (200, 12000), (340, 620), ["TH", "VN", "IN", "US"], ["MY", "ID", "SG", "ZA", "AE", "CN", "JP", "TR"], "bulk", "F"),
    ("100199", "t", (5000, 60000), (170, 260), ["RU", "UA", "US", "CA", "AU", "FR"], ["TR", "ID", "VN", "CN", "IT", "MX", "AE", "BR"], "bulk", "F"),
    ("100590", "t", (5000, 55000), (150, 210), ["US", "BR", "UA"], ["MX", "JP", "KR", "VN", "ES", "NL", "CN"], "bulk", "F"),
    ("120190", "t", (20000, 65000), (330, 420), ["BR", "US", "CA"], ["CN", "NL", "MX", "JP", "TH", "ES"], "bulk", "F"),
    ("151190", "t", (500, 20000), (560, 760), ["MY", "ID"], ["IN", "CN", "NL", "TR", "VN", "ES", "IT"], "tanker", "F"),
    ("090111", "t", (19, 400), (1900, 3600), ["BR", "VN", "ID", "IN", "MX"], ["DE", "US", "IT", "JP", "BE", "ES", "FR"], "container", "F"),
    ("080510", "t", (20, 600), (450, 900), ["ES", "ZA", "US", "TR", "MX"], ["NL", "RU", "GB", "FR", "CN", "AE", "CA"], "container", "F"),
    ("220421", "l", (5000, 120000), (2, 14), ["FR", "IT", "ES", "AU"], ["US", "GB", "DE", "CN", "CA", "JP", "BE", "NL"], "container", "F"),
    ("040221", "t", (20, 1000), (2400, 3600), ["NL", "DE", "FR", "AU", "BE"], ["CN", "DZ", "MX", "AE", "ID", "MY", "VN", "SG"], "container", "F"),
    ("030367", "t", (50, 2000), (900, 1600), ["RU", "US"], ["CN", "KR", "JP", "DE", "NL"], "container", "F"),
    ("030617", "t", (20, 400), (5500, 9500), ["VN", "IN", "ID", "TH"], ["US", "JP", "CN", "GB", "NL", "FR"], "container", "F"),
    ("170114", "t", (5000, 50000), (280, 420), ["BR", "TH", "AU", "IN"], ["ID", "CN", "MY", "KR", "AE", "US"], "bulk", "F"),
    ("020230", "t", (20, 800), (3800, 6200), ["BR", "AU", "US"], ["CN", "JP", "KR", "AE", "RU", "NL", "MX"], "container", "F"),
    ("080810", "t", (20, 500), (700, 1300), ["PL", "IT", "US", "CN", "FR"], ["RU", "IN", "GB", "DE", "VN", "TH", "MX"], "container", "F"),
    ("040690", "t", (5, 120), (3500, 7500), ["NL", "DE", "FR", "IT"], ["GB", "BE", "US", "JP", "ES", "CH"], "land", "F"),
    ("160414", "t", (20, 400), (3000, 6000), ["TH", "VN", "ID", "ES"], ["US", "GB", "JP", "AU", "DE", "IT"], "container", "F"),
    ("220830", "l", (2000, 60000), (8, 45), ["GB", "US", "JP"], ["FR", "US", "SG", "DE", "ES", "IN", "AE", "TW"], "container", "F"),
    # Minerals, fuels and metals.
    ("270112", "t", (30000, 165000), (48, 125), ["AU", "ID", "RU", "ZA", "US", "CA", "MN"], BULK_DEST, "bulk", "K"),
    ("270111", "t", (5000, 60000), (80, 160), ["RU", "UA", "ZA", "AU", "VN"], ["CN", "KR", "JP", "TR", "PL", "BE"], "bulk", "K"),
    ("270900", "bbl", (300000, 2000000), (38, 76), ["RU", "AE", "MX", "CA", "US", "BR"], ["CN", "IN", "KR", "JP", "US", "NL", "IT", "SG"], "tanker", "E"),
    ("271019", "t", (5000, 90000), (420, 720), ["SG", "KR", "IN", "RU", "US", "AE", "NL"], ["AU", "MY", "ID", "VN", "MX", "GB", "FR", "ZA", "TR"], "tanker", "E"),
    ("271012", "t", (5000, 40000), (480, 820), ["SG", "KR", "IN", "NL", "US", "AE"], ["AU", "MY", "ID", "VN", "MX", "ZA"], "tanker", "E"),
    ("271112", "t", (10000, 45000), (330, 560), ["US", "AE", "AU"], ["JP", "KR", "CN", "IN", "ID"], "tanker", "E"),
    ("271111", "t", (55000, 75000), (210, 420), ["AU", "US", "MY", "ID", "RU"], ["JP", "KR", "CN", "IN", "GB", "ES", "TR", "TH"], "tanker", "E"),
    ("260111", "t", (60000, 180000), (42, 95), ["AU", "BR", "ZA", "CA", "IN", "UA"], ["CN", "JP", "KR", "DE", "NL"], "bulk", "O"),
    ("260300", "t", (5000, 40000), (1300, 2300), ["AU", "BR", "MX", "MN", "US", "CA"], ["CN", "JP", "KR", "IN", "DE"], "bulk", "O"),
    ("720839", "t", (500, 12000), (420, 680), ["CN", "JP", "KR", "IN", "RU", "TR", "UA"], ["VN", "TH", "ID", "US", "IT", "PL", "MX", "AE"], "bulk", "O"),
    ("740311", "t", (100, 5000), (4800, 7100), ["CL", "AU", "RU", "ZA", "PL"], ["CN", "DE", "IT", "TR", "US", "TH"], "container", "O"),
    ("760110", "t", (500, 10000), (1500, 2300), ["RU", "AE", "IN", "CA", "AU"], ["JP", "KR", "TR", "NL", "US", "TH", "MY"], "bulk", "O"),
    ("710812", "kg", (10, 800), (38000, 48000), ["ZA", "AU", "CA", "US", "CH"], ["CH", "GB", "IN", "AE", "HK", "TR"], "air", "O"),
    ("720221", "t", (100, 3000), (950, 1400), ["RU", "BR", "CN", "IN"], ["JP", "KR", "US", "DE", "NL", "TR"], "container", "O"),
    ("440711", "m3", (200, 6000), (160, 290), ["RU", "CA", "FI", "SE", "DE"], ["CN", "JP", "GB", "NL", "AE", "TR"], "bulk", "W"),
    # Chemicals, plastics, rubber, paper.
    ("310210", "t", (5000, 40000), (190, 330), ["RU", "CN", "AE", "ID", "MY"], ["IN", "BR", "US", "TR", "TH", "AU", "MX"], "bulk", "C"),
    ("290511", "t", (5000, 30000), (240, 420), ["AE", "US", "RU", "MY"], ["CN", "IN", "KR", "NL", "JP"], "tanker", "C"),
    ("390110", "t", (50, 3000), (1000, 1500), ["US", "SG", "KR", "AE", "NL", "TH"], ["CN", "VN", "TR", "IN", "MY", "PL", "MX"], "container", "C"),
    ("300490", "kg", (50, 8000), (35, 420), ["DE", "IN", "CH", "US", "FR", "IT", "BE", "GB"], None, "air", "C"),
    ("300241", "kg", (5, 600), (900, 6500), ["BE", "US", "IN", "FR", "GB", "CH"], None, "air", "C"),
    ("330499", "kg", (200, 12000), (12, 60), ["FR", "KR", "US", "JP", "DE", "IT"], ["CN", "US", "HK", "SG", "GB", "AE", "RU"], "air", "C"),
    ("400122", "t", (100, 2500), (1250, 1900), ["TH", "ID", "VN", "MY"], ["CN", "JP", "US", "IN", "KR", "MY"], "container", "C"),
    ("481910", "kg", (2000, 60000), (1, 3), ["CN", "DE", "PL", "VN", "MX"], None, "land", "W"),
    ("392690", "kg", (500, 30000), (3, 18), ["CN", "DE", "US", "VN", "TH", "CZ"], None, "container", "C"),
    # Textiles, clothing, footwear.
    ("520512", "t", (20, 300), (2300, 3200), ["IN", "VN", "CN", "TR"], ["CN", "VN", "BD", "TR", "ID", "KR"], "container", "T"),
    ("610910", "u", (2000, 80000), (2, 9), ["CN", "VN", "IN", "TR", "ID"], ["US", "DE", "GB", "FR", "JP", "NL", "ES", "PL"], "container", "T"),
    ("620342", "u", (1000, 40000), (6, 22), ["CN", "VN", "TR", "IN", "MX"], ["US", "DE", "GB", "FR", "JP", "IT", "CA"], "container", "T"),
    ("611020", "u", (1000, 30000), (7, 25), ["CN", "VN", "TR", "IT"], ["US", "DE", "GB", "FR", "JP", "CA"], "container", "T"),
    ("640419", "pr", (1000, 25000), (6, 24), ["VN", "CN", "ID", "IN"], ["US", "DE", "GB", "FR", "JP", "NL", "CA"], "container", "T"),
    ("640399", "pr", (500, 12000), (18, 70), ["IT", "VN", "CN", "IN", "BR", "PL"], ["US", "DE", "GB", "FR", "JP", "RU"], "container", "T"),
    # Machinery, electrical equipment, vehicles, instruments.
    ("847130", "u", (200, 20000), (180, 900), ["CN", "VN", "MY"], ["US", "DE", "NL", "JP", "GB", "FR", "IN", "MX"], "air", "D"),
    ("851713", "u", (500, 50000), (90, 650), ["CN", "VN", "KR", "IN"], None, "air", "D"),
    ("852872", "u", (300, 8000), (140, 900), ["CN", "MX", "KR", "PL", "VN", "CZ"], ["US", "DE", "GB", "FR", "NL", "CA", "RU"], "container", "D"),
    ("854231", "u", (10000, 500000), (2, 45), ["KR", "MY", "SG", "US", "VN", "JP"], ["CN", "HK", "MX", "DE", "VN", "US"], "air", "D"),
    ("841810", "u", (100, 3000), (180, 650), ["CN", "TR", "MX", "TH", "PL", "KR"], None, "container", "D"),
    ("845011", "u", (100, 3000), (160, 520), ["CN", "TR", "PL", "KR", "DE", "TH"], None, "container", "D"),
    ("847989", "u", (1, 40), (3500, 140000), ["DE", "JP", "IT", "US", "CN", "CH"], None, "container", "M"),
    ("848180", "kg", (200, 20000), (9, 60), ["DE", "IT", "CN", "US", "JP", "CZ"], None, "container", "M"),
    ("845811", "u", (1, 12), (45000, 420000), ["DE", "JP", "IT", "CH", "CZ", "KR"], ["US", "CN", "MX", "IN", "PL", "TR", "VN"], "container", "M"),
    ("870323", "u", (10, 600), (14000, 38000), ["JP", "DE", "KR", "US", "MX", "CZ", "GB"], ["US", "CN", "AU", "GB", "RU", "AE", "CA", "FR"], "roro", "V"),
    ("870899", "kg", (500, 40000), (5, 24), ["DE", "JP", "MX", "CN", "CZ", "PL", "US"], None, "container", "V"),
    ("850440", "u", (100, 20000), (15, 900), ["CN", "DE", "JP", "VN", "MY"], None, "container", "M"),
    ("854442", "kg", (200, 15000), (6, 25), ["CN", "MX", "VN", "PL", "DE"], None, "land", "M"),
    ("847330", "kg", (100, 8000), (30, 220), ["CN", "MY", "VN", "TH", "SG"], None, "air", "D"),
    ("850760", "u", (500, 60000), (20, 160), ["CN", "KR", "JP", "PL"], None, "container", "D"),
    ("854143", "u", (1000, 40000), (60, 220), ["CN", "MY", "VN", "TH"], ["DE", "NL", "IN", "US", "AU", "TR", "BR", "ES"], "container", "D"),
    ("880240", "u", (1, 2), (45000000, 160000000), ["US", "FR"], ["CN", "AE", "TR", "GB", "JP", "SG", "IN"], "air", "A"),
    ("901890", "kg", (10, 2000), (80, 900), ["US", "DE", "JP", "CH", "CN", "IE"], None, "air", "C"),
    ("940360", "u", (100, 4000), (40, 300), ["VN", "CN", "PL", "MY", "ID", "IT"], ["US", "DE", "GB", "FR", "JP", "NL", "AU"], "container", "W"),
    ("950300", "kg", (500, 30000), (4, 20), ["CN", "VN", "MX", "CZ"], None, "container", "G"),
    ("730890", "t", (20, 1500), (1100, 2400), ["CN", "DE", "KR", "TR", "PL", "IN"], None, "bulk", "O"),
    ("840999", "kg", (100, 12000), (12, 60), ["DE", "JP", "US", "CN", "IT", "IN"], None, "container", "M"),
    ("870421", "u", (5, 300), (16000, 42000), ["JP", "TH", "US", "DE", "TR"], ["AU", "AE", "ZA", "MX", "CA", "GB", "ID"], "roro", "V"),
    ("871200", "u", (100, 6000), (60, 600), ["CN", "TW", "VN", "DE", "NL", "PL"], None, "container", "V"),
]
ITEM_DECIMALS = {"t": 3, "m3": 3, "kg": 1, "l": 0, "u": 0, "pr": 0, "bbl": 0}

REGION = {
    "CN": "EA", "JP": "EA", "KR": "EA", "MN": "EA", "HK": "EA", "TW": "EA",
    "VN": "SE", "TH": "SE", "SG": "SE", "MY": "SE", "ID": "SE",
    "IN": "SA", "BD": "SA", "AE": "ME",
    "RU": "RU", "UA": "EU", "TR": "EU", "DE": "EU", "NL": "EU", "GB": "EU", "FR": "EU", "IT": "EU", "PL": "EU",
    "CZ": "EU", "ES": "EU", "BE": "EU", "CH": "EU", "FI": "EU", "SE": "EU", "IE": "EU",
    "US": "AM", "CA": "AM", "MX": "AM", "BR": "AM", "CL": "AM", "ZA": "AF", "DZ": "AF", "AU": "OC",
}
ASIA = {"EA", "SE", "SA"}

# Ships: fictional names (checked against the 1718 list), valid IMO numbers.
SHIP_NAMES = {
    "bulk": ["OCEAN PROSPERITY", "PACIFIC HARVEST", "NORDIC BULKER", "CAPE MERIDIAN", "GOLDEN WHEAT", "STAR OF KOBE",
             "IRON BAY", "HAI XING 26", "GREAT SOUTHERN", "ARAFURA TRADER", "BALTIC FORTUNE", "MAJESTIC DAWN",
             "SANTA LUCIA BULK", "KOTO MARU", "YASA PIONEER", "ANADOLU STAR", "DONG HAI 17", "SILVER CORMORANT"],
    "tanker": ["ATLANTIC SERENITY", "GULF RADIANCE", "AQUAMARINE SPIRIT", "SEA HARMONY", "NORD STELLA", "PETRO ALLIANCE",
               "MARLIN EXPLORER", "ORIENT CRYSTAL", "VEGA STAR", "BAYU LESTARI", "VOLGA SPIRIT", "CASPIAN DAWN"],
    "container": ["MERIDIAN EXPRESS", "HANSA LIBERTY", "ASIAN TRIUMPH", "CAPE ORCHID", "NORTHERN VOYAGER", "HAI AN 316",
                  "SINAR BINTAN", "LUCENT HORIZON", "SANTA ROSALIA", "KOBE BRIDGE", "TOPAZ BRIDGE", "ZHONG GU 28",
                  "BALTIC BREEZE", "ARCTIC TERN", "EMERALD COAST", "CAPE CHARLES"],
    "roro": ["AUTO ASPIRE", "PACIFIC CAR EXPRESS", "NORDIC HIGHWAY", "CORAL CARRIER", "SUNRISE MOTORWAY"],
}
FLAGS = ["PA", "PA", "PA", "LR", "LR", "MH", "MH", "HK", "SG", "MT", "BS", "GR", "CY", "CN", "JP", "KR", "DE", "NO", "DK"]


def dec(s):
    return Decimal(str(s))


def money(d):
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fmt_qty(q, unit):
    places = ITEM_DECIMALS.get(unit, 2)
    return str(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def fmt_hs(hs6, rng, dotted=0.85):
    return f"{hs6[:4]}.{hs6[4:]}" if rng.random() < dotted else hs6


def random_date(rng, start=START, end=END):
    return start + timedelta(days=rng.randrange((end - start).days + 1))


class World:
    def __init__(self):
        self.fields = schema_fields()
        self.hs = hs_descriptions()
        self.iso = iso_codes()
        self.parties, self.vessel_names, self.vessel_imos = designated()
        for name in (n for firms in COMPANIES.values() for n, _ in firms):
            assert normalize(name) not in self.parties, name
        for c in COMPANIES:
            assert c in self.iso and c != "KP" and c in REGION, c
        for g in GOODS:
            assert g[0] in self.hs, g[0]
            assert all(c in COMPANIES for c in g[4] + (g[5] or [])), g

    def fleet(self, rng):
        fleet = {}
        for kind, names in SHIP_NAMES.items():
            ships = []
            for name in names:
                assert normalize(name) not in self.vessel_names, name
                while True:
                    number = imo(rng.randint(910000, 989999) if rng.random() < 0.85 else rng.randint(820000, 909999))
                    if number not in self.vessel_imos:
                        break
                ships.append((number, name, rng.choice(FLAGS)))
            fleet[kind] = ships
        return fleet


# Road and rail corridors inside Europe: the countries between the two ends.
EUROPE_CORRIDORS = {
    ("PL", "NL"): "DE", ("PL", "BE"): "DE", ("PL", "FR"): "DE", ("PL", "GB"): "DE;NL", ("PL", "ES"): "DE;FR",
    ("PL", "IT"): "CZ;AT", ("CZ", "NL"): "DE", ("CZ", "BE"): "DE", ("CZ", "FR"): "DE", ("CZ", "GB"): "DE;NL",
    ("CZ", "ES"): "DE;FR", ("CZ", "IT"): "AT", ("DE", "IT"): "AT", ("DE", "ES"): "FR", ("DE", "GB"): "NL",
    ("NL", "IT"): "DE;CH", ("NL", "ES"): "BE;FR", ("NL", "FR"): "BE", ("FR", "PL"): "DE", ("ES", "BE"): "FR",
    ("IT", "GB"): "FR", ("IT", "BE"): "CH;FR", ("TR", "DE"): "BG;RS;HU;AT", ("TR", "CZ"): "BG;RS;HU;SK",
    ("TR", "PL"): "BG;RO;HU;SK", ("CH", "NL"): "DE", ("CH", "BE"): "FR", ("CH", "GB"): "FR", ("UA", "DE"): "PL",
    ("UA", "CZ"): "PL", ("UA", "IT"): "HU;SI", ("FI", "DE"): "SE;DK", ("SE", "NL"): "DK;DE", ("ES", "IT"): "FR",
}


def route_for(o, d, mode, rng):
    """A plausible transit path, origin and destination included, or ''. Most
    shipments have none: only some firms record the transit countries."""
    ro, rd = REGION[o], REGION[d]
    if mode == "air":
        if rng.random() < 0.08 and ro != rd:
            hub = rng.choice([h for h in ("AE", "QA", "SG") if h not in (o, d)])
            return f"{o};{hub};{d}"
        return ""
    corridor = EUROPE_CORRIDORS.get((o, d))
    if corridor is None and (d, o) in EUROPE_CORRIDORS:
        corridor = ";".join(reversed(EUROPE_CORRIDORS[(d, o)].split(";")))
    if corridor:
        return f"{o};{corridor};{d}" if rng.random() < 0.5 else ""
    if rng.random() > 0.3:
        return ""
    if o == "MN":
        return f"MN;CN;{d}" if d != "CN" else ""
    if o in ("CZ", "CH") and rd not in ("EU", "RU"):  # landlocked: out through a North Sea port
        return f"{o};{rng.choice(['DE', 'NL'])};{d}"
    if o == "CN" and d in ("PL", "DE", "CZ", "NL") and mode == "container":
        return "CN;KZ;RU;BY;PL" + ("" if d == "PL" else (";DE" if d in ("DE", "NL", "CZ") and d != "DE" else "") + f";{d}")
    if {ro, rd} == {"RU", "EA"} and "CN" in (o, d) and mode != "tanker":
        return f"{o};MN;{d}"
    suez = (ro in ASIA and rd in ("EU", "ME")) or (rd in ASIA and ro in ("EU", "ME")) or {ro, rd} == {"ME", "EU"}
    if suez and not ({ro, rd} == {"ME", "SA"} or {ro, rd} == {"ME", "SE"} or {ro, rd} == {"ME", "EA"}):
        if "ME" in (ro, rd):
            hubs = ["EG"]
        else:
            hubs = rng.choice([["SG", "EG"], ["LK", "EG"], ["MY", "EG"], ["SG", "LK", "EG"]])
        hubs = [h for h in hubs if h not in (o, d)]
        if ro in ("EU", "ME") and rd in ASIA:
            hubs.reverse()
        return ";".join([o] + hubs + [d])
    if ro in ASIA and rd in ASIA:
        hub = rng.choice([h for h in ("SG", "HK", "KR", "MY") if h not in (o, d)])
        return f"{o};{hub};{d}"
    if "AF" in (ro, rd) and ({ro, rd} & ASIA or "OC" in (ro, rd)):
        return f"{o};{rng.choice(['SG', 'MY', 'MU'])};{d}"
    if {ro, rd} == {"OC", "SE"} or {ro, rd} == {"OC", "SA"}:
        return f"{o};SG;{d}" if "SG" not in (o, d) else ""
    if "AM" in (ro, rd) and {ro, rd} & {"EA", "SE"} and ({o, d} & {"US", "CA", "MX"}):
        return f"{o};KR;{d}" if "KR" not in (o, d) and rng.random() < 0.5 else f"{o};PA;{d}" if "US" in (o, d) else ""
    if {ro, rd} == {"AM", "EU"} and o in ("BR", "MX", "CL") and d != "NL":
        return f"{o};{rng.choice(['NL', 'BE', 'ES'])};{d}" if d not in ("BE", "ES") else ""
    return ""


def ordinary_rows(world, rng, n):
    fleet = world.fleet(rng)
    rows = []
    for _ in range(n):
        hs6, unit, (qmin, qmax), (pmin, pmax), origins, dests, mode, sector = rng.choice(GOODS)
        o = rng.choice(origins)
        d = rng.choice([c for c in (dests or IMPORTERS) if c != o])
        when = random_date(rng)
        places = ITEM_DECIMALS[unit]
        scale = 10 ** places
        q = Decimal(rng.randint(qmin * scale, qmax * scale)).scaleb(-places)
        if unit in ("u", "pr") and q > 1000:
            q = (q / 100).to_integral_value() * 100
        price_usd = Decimal(rng.randint(pmin * 100, pmax * 100)) / 100
        seller_country = o
        cur = "USD"
        local = LOCAL_CURRENCY.get(seller_country)
        if local and rng.random() < local[1]:
            cur = local[0]
        rate = dec(FX[cur][when.year]) if cur != "USD" else Decimal(1)
        value = money(q * price_usd * rate)
        buyer_country = d
        row = {
            "date": when.isoformat(), "origin": o, "destination": d, "hs_code": fmt_hs(hs6, rng),
            "route": route_for(o, d, mode, rng),
            "seller": company(rng, seller_country, sector), "buyer": company(rng, buyer_country, sector),
            "seller_country": seller_country, "buyer_country": buyer_country,
            "vessel_imo": "", "vessel_name": "", "vessel_flag": "",
            "description": world.hs[hs6], "quantity": fmt_qty(q, unit), "unit": unit,
            "value": str(value), "currency": cur, "license": "", "contract_date": "",
        }
        ship_p = {"bulk": 0.75, "tanker": 0.8, "container": 0.45, "roro": 0.6}.get(mode, 0)
        if rng.random() < ship_p:
            number, name, flag = rng.choice(fleet["container" if mode == "container" else mode])
            row["vessel_imo"] = number if rng.random() < 0.9 else f"IMO {number}"
            row["vessel_name"] = name
            row["vessel_flag"] = flag
        if hs6[:2] in ("84", "85", "90", "88") and rng.random() < 0.06:
            row["license"] = f"{o}-EXP-{when.year}-{rng.randint(1000, 99999):05d}"
        rows.append(row)
    return rows, fleet


# ───────────────────────────── rule hits ─────────────────────────────

KP_PARTIES = [
    "Korea Kumgang Industrial Trading Corp.", "Pyongyang Taedong Foodstuffs Co.", "조선대동강무역회사",
    "Korea Sinhung Machinery Import Corp.", "Rason Haebit Trading Co.", "Chongjin Fisheries Export Co.",
    "조선모란무역총회사", "Korea Sobaeksu General Trading Corp.", "Kaesong Light Industry Trading Co.",
    "Korea Rakwon Minerals Export Corp.",
]
BORDER_TRADERS = {
    "CN": ["Dandong Jiangbin Trading Co., Ltd.", "丹东鸭绿江边贸有限公司", "Hunchun Tumen River Commerce Co., Ltd.",
           "Yanji Changbai Import & Export Co., Ltd.", "辽宁东港海产品有限公司", "Shenyang Liaobei Coal Trading Co., Ltd."],
    "RU": ["ООО «Хасанская Логистика»", "ООО «Приморская Топливная Компания»", "ООО «Дальневосточный Экспорт»"],
    "SY": ["Al-Fajr Trading Est."], "ER": ["Massawa General Import Co."], "IR": ["Pars Sanat Trading Co."],
    "CU": ["Empresa Importadora Caribe Azúcar"], "NA": ["Windhoek Civic Works (Pty) Ltd"],
    "MZ": ["Maputo Industrial Supplies Lda."], "TW": ["Kaohsiung Harbour Fuel Co., Ltd."],
    "HK": ["Victoria Harbour Components Ltd.", "Kowloon Bay Trading Co., Ltd."],
}


def hit(when, o, d, hs, desc, qty, unit, price, expect, **kw):
    """A record built to fire the rules in `expect`. `price` is the USD value per
    unit unless `value` is given."""
    return dict(date=when, origin=o, destination=d, hs_code=hs, description=desc, quantity=qty, unit=unit,
                price=price, expect=expect, **kw)


CONTRACT = "Contract No. {} of {}"


def contract_date(license):
    """The date of a contract cited as `Contract No. X of YYYY-MM-DD`, or ""."""
    m = re.fullmatch(r"Contract No\. \S+ of (\d{4}-\d{2}-\d{2})", license)
    return m.group(1) if m else ""


def hit_specs():
    H = hit
    return [
        # ── arms.cordon ──
        # KP-ARMS-HEAVY-1718 was absorbed by 1874 on 2009-06-12, so it cannot fire
        # in 2016-2019: two back-dated (archive) records, the only ones outside it.
        H("2008-05-14", "KP", "SY", "8710.00", "Armoured personnel carriers, tracked, with spare parts", "12", "u", 850000, ["KP-ARMS-HEAVY-1718"]),
        H("2009-02-03", "CN", "KP", "8802.30", "Military transport aircraft, twin turboprop", "2", "u", 9500000, ["KP-ARMS-HEAVY-1718"]),
        H("2016-09-27", "KP", "ER", "8710.00", "Spare parts for T-55 tanks: track links, road wheels", "18.400", "t", 42000, ["KP-ARMS-ALL-1874"]),
        H("2017-04-11", "KP", "MZ", "930190", "Assault rifles, 7.62 mm, with magazines", "600", "u", 410, ["KP-ARMS-ALL-1874"]),
        H("2019-03-05", "KP", "IR", "8906.10", "Fast attack craft, 33 m, ex-navy", "1", "u", 3800000, ["KP-ARMS-ALL-1874", "KP-EXP-VESSEL-2397"]),
        H("2016-01-21", "RU", "KP", "9303.20", "Hunting shotguns, 12 gauge, semi-automatic", "40", "u", 690, ["KP-SALW-NOTIFY-1874"]),
        H("2016-02-17", "CN", "KP", "9306.21", "Shotgun cartridges 12/70, lead shot", "200000", "u", 0.35, ["KP-SALW-NOTIFY-1874"]),
        H("2016-09-08", "CN", "KP", "9302.00", "Pistols, 9 mm, for police units", "150", "u", 380, ["KP-ARMS-SALW-2270"]),
        H("2018-06-19", "RU", "KP", "930630", "Cartridges 7.62x39 mm", "500000", "u", 0.28, ["KP-ARMS-SALW-2270"]),
        H("2016-04-26", "CN", "KP", "2844.43", "Cobalt-60 sealed sources for a medical teletherapy unit", "4", "u", 65000, ["KP-WMD-1718"]),
        H("2019-08-20", "CN", "KP", "2845.10", "Heavy water (deuterium oxide), 99.8 %", "1200", "kg", 650, ["KP-WMD-1718"]),
        H("2016-06-14", "CN", "KP", "7304.59", "Maraging steel tubes, grade 350, 160 mm OD", "3.200", "t", 28000, ["KP-WMD-1718.LIST-ITEMS"]),
        H("2017-03-22", "CN", "KP", "9014.20", "Fibre-optic gyroscope modules", "24", "u", 5200, ["KP-WMD-1718.LIST-ITEMS"]),
        H("2019-05-08", "KP", "SY", "8412.10", "Solid rocket motor casings, filament wound", "6", "u", 140000, ["KP-WMD-1718.LIST-ITEMS", "KP-EXP-MACH-2397"]),
        H("2016-08-23", "CN", "KP", "8704.22", "Dump trucks, 6x4, 25 t payload", "20", "u", 46000, ["KP-CATCHALL-2270"]),
        H("2017-05-16", "CN", "KP", "852691", "Marine radar and GPS navigation units", "35", "u", 7400, ["KP-CATCHALL-2270"]),
        H("2018-09-04", "CN", "KP", "8704.23", "Heavy trucks, 8x4, 40 t gross", "10", "u", 61000, ["KP-CATCHALL-2270", "KP-SUP-VEH-2397"]),
        H("2016-10-18", "CN", "KP", "8458.11", "CNC lathes, horizontal, 500 mm swing", "4", "u", 88000, ["KP-CATCHALL-2270.PROGRAMMES"]),
        H("2017-07-11", "CN", "KP", "8459.61", "CNC milling machines, 3-axis", "3", "u", 126000, ["KP-CATCHALL-2270.PROGRAMMES"]),
        H("2018-03-27", "KP", "CN", "846310", "Draw-benches for steel wire, used", "2", "u", 35000, ["KP-CATCHALL-2270.PROGRAMMES", "KP-EXP-MACH-2397"]),
        # ── energy.cordon ──
        H("2016-06-02", "RU", "KP", "2710.19", "Jet A-1 aviation kerosene", "1200.000", "t", 455, ["KP-AVFUEL-2270"]),
        H("2018-05-15", "RU", "KP", "2710.19", "TS-1 jet fuel", "800.000", "t", 640, ["KP-AVFUEL-2270", "KP-RPP-2397"]),
        H("2017-10-24", "RU", "KP", "2711.19", "Natural gas liquids, mixed C3-C5 fraction", "1500.000", "t", 390, ["KP-NGL-2375"]),
        H("2018-02-06", "CN", "KP", "2709.00", "Gas condensate, stabilised", "6000.000", "t", 410, ["KP-NGL-2375"]),
        H("2017-11-07", "CN", "KP", "2711.12", "Propane in 50 kg cylinders", "320.000", "t", 520, ["KP-NGL-2375.LPG"]),
        H("2019-01-15", "RU", "KP", "271113", "Butane, liquefied", "900.000", "t", 470, ["KP-NGL-2375.LPG"]),
        H("2017-10-10", "CN", "KP", "2710.19", "Diesel fuel EN 590, 10 ppm sulphur", "2000.000", "t", 560, ["KP-RPP-2375"]),
        H("2017-12-05", "RU", "KP", "2710.12", "Motor gasoline AI-92", "1500.000", "t", 610, ["KP-RPP-2375"]),
        H("2018-04-17", "CN", "KP", "2710.19", "Diesel fuel, 0# grade", "3500.000", "t", 640, ["KP-RPP-2397"]),
        H("2019-07-02", "RU", "KP", "2713.20", "Petroleum bitumen, road grade 60/90", "2400.000", "t", 380, ["KP-RPP-2397"]),
        H("2018-10-09", "SG", "KP", "2710.19", "Gasoil 10 ppm, one cargo", "620000", "bbl", 88, ["KP-RPP-2397", "KP-RPP-OVER-CAP"],
          seller="Lion City Petroleum Pte. Ltd."),
        H("2017-09-28", "CN", "KP", "2709.00", "Crude petroleum oil, Daqing blend, by pipeline", "42000.000", "t", 330, ["KP-CRUDE-2375"]),
        H("2017-11-21", "CN", "KP", "2709.00", "Crude petroleum oil, Daqing blend, by pipeline", "44500.000", "t", 365, ["KP-CRUDE-2375"]),
        H("2018-03-13", "CN", "KP", "2709.00", "Crude petroleum oil, by pipeline", "45000.000", "t", 440, ["KP-CRUDE-2397"]),
        H("2019-06-11", "RU", "KP", "270900", "Crude petroleum oil, ESPO blend", "30000.000", "t", 470, ["KP-CRUDE-2397"]),
        H("2019-10-22", "CN", "KP", "2709.00", "Crude petroleum oil, by pipeline, annual contract quantity", "560000.000", "t", 420,
          ["KP-CRUDE-2397", "KP-CRUDE-2397.OVER-CAP"]),
        # ── luxury.cordon ──
        H("2016-03-29", "FR", "KP", "2208.20", "Cognac XO, 70 cl bottles", "1800", "l", 95, ["KP-LUX-1718"], seller_country="FR",
          seller="Château Belle-Rive Négociants SAS"),
        H("2018-12-11", "CN", "KP", "2402.20", "Cigarettes, king size, filter", "1200000", "u", 0.06, ["KP-LUX-1718"]),
        H("2017-06-27", "FR", "KP", "3303.00", "Perfumes, eau de parfum 100 ml", "600", "u", 85, ["KP-LUX-1718"],
          seller="Château Belle-Rive Négociants SAS"),
        H("2016-05-17", "CN", "KP", "7113.19", "Gold jewellery, 18k, necklaces and rings", "3.5", "kg", 46000, ["KP-LUX-1718", "KP-LUX-2094"]),
        H("2017-02-14", "DE", "KP", "8703.23", "Passenger cars, 2.0 l petrol, executive saloon", "6", "u", 52000, ["KP-LUX-1718", "KP-LUX-2094"],
          route="DE;CN;KP", seller="Hanseatisches Handelskontor GmbH & Co. KG"),
        H("2019-04-09", "CN", "KP", "8703.32", "Sport utility vehicles, 2.2 l diesel", "12", "u", 31000,
          ["KP-LUX-1718", "KP-LUX-2094", "KP-SUP-VEH-2397"]),
        H("2016-10-04", "CH", "KP", "9101.11", "Wrist watches, gold case, quartz", "40", "u", 4200, ["KP-LUX-1718", "KP-LUX-2270"],
          seller="Jura Präzisionsuhren SA"),
        H("2017-01-24", "CN", "KP", "9506.11", "Alpine skis with bindings", "300", "u", 260, ["KP-LUX-1718", "KP-LUX-2270"]),
        H("2018-07-31", "CN", "KP", "9102.11", "Wrist watches, 18k gold-plated case", "200", "u", 310, ["KP-LUX-1718", "KP-LUX-2270"]),
        H("2017-03-14", "CN", "KP", "5701.10", "Hand-knotted wool carpets, 2 x 3 m", "10", "u", 950, ["KP-LUX-1718", "KP-LUX-2321"]),
        H("2018-08-21", "CN", "KP", "6911.10", "Porcelain dinner sets, 48 pieces", "40", "pcs", 160, ["KP-LUX-1718", "KP-LUX-2321"]),
        H("2017-05-30", "CN", "KP", "5703.31", "Tufted polypropylene carpeting", "1800", "m2", 9, ["KP-LUX-1718", "KP-LUX-2321.UNPRICED"],
          currency="CNY"),
        # In kilograms: the per-item value cannot be computed, so KP-LUX-2321 is undecided (review).
        H("2019-02-19", "CN", "KP", "6911.10", "Porcelain tableware, hotel grade", "2400", "kg", 7.5, ["KP-LUX-1718", "KP-LUX-2321"]),
        # ── maritime.cordon ──
        H("2018-06-12", "RU", "CN", "2701.12", "Steam coal, 5,500 kcal/kg NAR", "38000.000", "t", 92, ["KP-DESIG-VESSEL"],
          vessel=("8791667", "WAN HENG 11", "TG"), seller="АО «Кузбасская Угольная Компания»", buyer="Shenyang Liaobei Coal Trading Co., Ltd."),
        H("2017-09-19", "CU", "KP", "1701.14", "Raw cane sugar, bagged", "9800.000", "t", 330, ["KP-DESIG-VESSEL", "KP-FLAG-SERVICES"],
          vessel=("7937317", "Chong Chon Gang", "KP")),
        H("2019-03-26", "SG", "CN", "2710.19", "Gasoil 500 ppm", "5200.000", "t", 590, ["KP-DESIG-VESSEL"],
          vessel=("IMO 9030591", "YUK TUNG", ""), seller="Straits Commodities Pte. Ltd.", buyer="Victoria Harbour Components Ltd.",
          buyer_country="HK"),
        H("2018-08-07", "CN", "VN", "7208.39", "Hot-rolled steel coils, 2.5 mm", "8500.000", "t", 540, ["KP-DESIG-VESSEL.NAME"],
          vessel=(imo("956224"), "Petrel 8", "PA"), seller="Tianjin Bohai Steel Trading Co., Ltd.",
          buyer="Công ty TNHH Điện tử Hà Nội Tân Tiến"),
        H("2019-01-29", "AU", "CN", "2601.11", "Iron ore fines, 62 % Fe", "52000.000", "t", 74, ["KP-DESIG-VESSEL.NAME"],
          vessel=("", "Jie Shun", ""), seller="Pilbara Ore Sales Pty Ltd"),
        H("2018-09-25", "RU", "CN", "2701.12", "Steam coal, 5,000 kcal/kg", "4800.000", "t", 88, ["KP-DESIG-VESSEL.NO-IMO"],
          vessel=("", "MIN NING DE YOU 078", ""), seller="ООО «Хасанская Логистика»"),
        H("2019-11-12", "CN", "TW", "2710.19", "Marine gasoil", "2600.000", "t", 610, ["KP-DESIG-VESSEL.NO-IMO"],
          vessel=("", "Min Ning De You 078", ""), buyer="Kaohsiung Harbour Fuel Co., Ltd."),
        H("2016-09-13", "RU", "CN", "0303.67", "Frozen Alaska pollock, headed and gutted", "1400.000", "t", 1050,
          # Listed in 2017: before that, KP-DESIG-VESSEL says it was listed after the transaction.
          ["KP-DESIG-VESSEL.OMM-2016", "KP-DESIG-VESSEL", "KP-FLAG-SERVICES"], vessel=("8916293", "Chong Rim 2", "KP"),
          seller="ООО «Дальневосточный Экспорт»"),
        H("2017-03-07", "CN", "RU", "2523.29", "Portland cement CEM I 42.5, bagged", "3100.000", "t", 62,
          ["KP-DESIG-VESSEL.OMM-2016", "KP-DESIG-VESSEL", "KP-FLAG-SERVICES"], vessel=("9041552", "Hoe Ryong", "KP"),
          buyer="ООО «Дальневосточный Экспорт»"),
        H("2018-02-14", "TW", "KP", "2710.19", "Diesel fuel, ship-to-ship transfer in the East China Sea", "1600.000", "t", 610,
          ["KP-STS-2375", "KP-FLAG-SERVICES", "KP-RPP-2397"], vessel=("", "SAM IL PO 5", "KP"),
          seller="Kaohsiung Harbour Fuel Co., Ltd."),
        H("2019-04-23", "KP", "CN", "2701.11", "Anthracite, ship-to-ship transfer off Nampho", "2700.000", "t", 95,
          ["KP-STS-2375", "KP-FLAG-SERVICES", "KP-COAL-IRON-2371"], vessel=("", "PAEKTU 11", "KP")),
        H("2016-05-10", "CN", "KP", "1006.30", "Milled rice, 25 kg bags", "2000.000", "t", 420, ["KP-FLAG-SERVICES"],
          vessel=("", "TAE SONG 3", "KP")),
        H("2018-10-30", "RU", "CN", "0303.67", "Frozen Alaska pollock", "900.000", "t", 1120, ["KP-FLAG-SERVICES"],
          vessel=("", "KUM SONG 12", "KP"), seller="ООО «Дальневосточный Экспорт»"),
        # ── minerals.cordon ──
        H("2016-04-19", "KP", "CN", "2701.11", "Anthracite, 6,500 kcal/kg", "42000.000", "t", 68, ["KP-COAL-IRON-2270"]),
        H("2016-08-30", "KP", "CN", "2601.11", "Iron ore concentrate, 64 % Fe", "25000.000", "t", 48, ["KP-COAL-IRON-2270"]),
        H("2017-01-10", "KP", "CN", "2701.11", "Anthracite, washed", "38000.000", "t", 86, ["KP-COAL-CAP-2321"]),
        H("2017-06-06", "KP", "VN", "270111", "Anthracite", "12000.000", "t", 90, ["KP-COAL-CAP-2321"],
          buyer="Công ty Cổ phần Lương thực Cửu Long"),
        H("2017-03-28", "KP", "CN", "2601.11", "Iron ore concentrate, 63 % Fe", "30000.000", "t", 62, ["KP-IRON-2321"]),
        H("2017-07-18", "KP", "CN", "7201.10", "Pig iron, non-alloy", "5000.000", "t", 270, ["KP-IRON-2321"]),
        H("2017-10-17", "KP", "CN", "2701.11", "Anthracite", "36000.000", "t", 95, ["KP-COAL-IRON-2371"]),
        H("2017-08-22", "KP", "CN", "2601.11", "Iron ore concentrate, 64 % Fe", "21000.000", "t", 66, ["KP-COAL-IRON-2371"],
          license=CONTRACT.format("KP-CN/2017/118", "2017-07-18")),
        H("2018-11-20", "KP", "RU", "2701.11", "Anthracite", "4500.000", "t", 98, ["KP-COAL-IRON-2371"]),
        H("2016-12-06", "KP", "CN", "2704.00", "Metallurgical coke", "6000.000", "t", 190, ["KP-COAL-COKE"]),
        H("2018-05-29", "KP", "CN", "2704.00", "Coke of coal, 25-80 mm", "4000.000", "t", 260, ["KP-COAL-COKE"]),
        H("2017-04-04", "KP", "CN", "7202.41", "Ferro-chromium, high carbon", "800.000", "t", 1350, ["KP-IRON-STEEL"]),
        H("2019-09-10", "KP", "CN", "7228.30", "Alloy steel bars, hot-rolled", "1200.000", "t", 560, ["KP-IRON-STEEL"]),
        H("2016-07-05", "RU", "CN", "2701.12", "Russian steam coal, transshipped at Rajin port terminal", "45000.000", "t", 58,
          ["KP-RAJIN", "KP-TRANSIT"], route="RU;KP;CN", vessel=(imo("918452"), "ZHONG HAI 8", "PA"),
          seller="АО «Кузбасская Угольная Компания»"),
        H("2018-01-16", "RU", "CN", "2701.12", "Coal, loaded at Rajin (Rason) port", "40000.000", "t", 96, ["KP-RAJIN"],
          seller="АО «Кузбасская Угольная Компания»"),
        H("2019-05-21", "RU", "KR", "2701.12", "Steam coal, transshipped at Najin", "35000.000", "t", 88, ["KP-RAJIN"],
          seller="ООО «Хасанская Логистика»", buyer="(주)동해석유화학"),
        H("2016-06-21", "KP", "CN", "7108.12", "Gold bullion, unwrought, 99.5 %", "40", "kg", 41000, ["KP-MIN-2270"]),
        H("2017-02-28", "KP", "CN", "2614.00", "Titanium ore concentrate (ilmenite)", "3000.000", "t", 160, ["KP-MIN-2270"]),
        H("2018-10-16", "KP", "CN", "2615.90", "Vanadium ore concentrate", "500.000", "t", 900, ["KP-MIN-2270"]),
        H("2019-02-05", "KP", "CN", "2846.90", "Rare-earth oxides, mixed", "60.000", "t", 18000, ["KP-MIN-2270"]),
        H("2017-02-21", "KP", "CN", "7403.11", "Copper cathodes, grade A", "300.000", "t", 5600, ["KP-METALS-2321"]),
        H("2018-07-10", "KP", "CN", "7901.11", "Zinc ingots, 99.995 %", "500.000", "t", 2900, ["KP-METALS-2321"]),
        H("2019-10-01", "KP", "CN", "7106.91", "Silver, unwrought, granules", "800", "kg", 520, ["KP-METALS-2321"]),
        H("2017-05-09", "KP", "CN", "2603.00", "Copper concentrate, 20 % Cu", "2000.000", "t", 1400, ["KP-METALS-2321.ORES"]),
        H("2018-12-04", "KP", "CN", "2608.00", "Zinc concentrate, 50 % Zn", "3500.000", "t", 900, ["KP-METALS-2321.ORES"]),
        H("2017-01-17", "KP", "NA", "9703.90", "Bronze statue, 6 m, for a national monument", "1", "u", 1800000, ["KP-STATUE-2321"]),
        H("2018-09-11", "KP", "CN", "9703.90", "Bronze sculptures, original works", "4", "u", 65000, ["KP-STATUE-2321"]),
        H("2017-08-15", "KP", "CN", "6913.10", "Porcelain statuettes, hand-painted", "800", "u", 35, ["KP-STATUE-2321.STATUETTES"]),
        H("2019-06-25", "KP", "CN", "8306.29", "Bronze statuettes, 30 cm", "200", "u", 120, ["KP-STATUE-2321.STATUETTES"]),
        H("2017-10-03", "KP", "CN", "2607.00", "Lead concentrate, 60 % Pb", "2500.000", "t", 1100, ["KP-LEAD-2371"]),
        H("2017-08-28", "KP", "CN", "7801.10", "Refined lead ingots", "400.000", "t", 2300, ["KP-LEAD-2371"],
          license=CONTRACT.format("RH-2017-031", "2017-06-30")),
        H("2017-09-26", "KP", "CN", "0306.14", "Frozen crabs, in shell", "60.000", "t", 6500, ["KP-SEAFOOD-2371"],
          seller="Chongjin Fisheries Export Co.", buyer="辽宁东港海产品有限公司"),
        H("2017-08-15", "KP", "CN", "0303.67", "Frozen Alaska pollock", "300.000", "t", 950, ["KP-SEAFOOD-2371"],
          license=CONTRACT.format("DG-0715", "2017-07-15"), seller="Chongjin Fisheries Export Co.", buyer="辽宁东港海产品有限公司"),
        H("2019-08-06", "KP", "CN", "1605.54", "Squid, dried and seasoned", "25.000", "t", 7200, ["KP-SEAFOOD-2371"],
          seller="Chongjin Fisheries Export Co."),
        H("2017-11-14", "KP", "CN", "2301.20", "Fish meal, 65 % protein", "400.000", "t", 1300, ["KP-SEAFOOD-2371.FISH-MEAL"]),
        H("2018-04-03", "KP", "CN", "230120", "Fish meal", "350.000", "t", 1250, ["KP-SEAFOOD-2371.FISH-MEAL"]),
        H("2017-10-24", "KP", "CN", "6204.62", "Women's cotton trousers, cut-make-trim", "20000", "u", 4.2, ["KP-TEXTILE-2375"],
          seller="Kaesong Light Industry Trading Co."),
        H("2017-11-20", "KP", "CN", "6110.30", "Knitted pullovers, acrylic", "15000", "u", 5.1, ["KP-TEXTILE-2375"],
          license=CONTRACT.format("SY-KP-2017-044", "2017-08-30"), seller="Kaesong Light Industry Trading Co."),
        H("2019-01-08", "KP", "RU", "6201.40", "Men's padded winter jackets", "5000", "u", 14, ["KP-TEXTILE-2375"],
          seller="Kaesong Light Industry Trading Co.", buyer="ООО «Дальневосточный Экспорт»"),
        H("2017-12-12", "KP", "CN", "6404.19", "Canvas shoes, rubber soles", "12000", "pr", 3.8, ["KP-TEXTILE-2375.FOOTWEAR"]),
        H("2018-06-26", "KP", "CN", "6405.20", "Slippers with textile uppers", "20000", "pr", 1.6, ["KP-TEXTILE-2375.FOOTWEAR"]),
        # ── parties.cordon ──
        H("2016-06-28", "CN", "HK", "8542.31", "Microcontrollers, 32-bit", "50000", "u", 3.2, ["KP-DESIG-PARTY"],
          seller="Shenzhen Lianchuang Electronics Co., Ltd.", buyer="Leader (Hong Kong) International Trading Limited"),
        H("2018-05-22", "SG", "CN", "2710.19", "Gasoil 0.001 % S", "4000.000", "t", 650, ["KP-DESIG-PARTY"],
          seller="Yuk Tung Energy Pte. Ltd.", buyer="Dalian Xinggang Logistics Co., Ltd."),
        H("2018-07-17", "MY", "CN", "8471.30", "Notebook computers", "800", "u", 420, ["KP-DESIG-PARTY"],
          seller="Pro-Gain Group Corporation", buyer="Yanji Changbai Import & Export Co., Ltd."),
        H("2019-03-12", "JP", "CN", "8708.99", "Truck spare parts", "2400", "kg", 18, ["KP-DESIG-PARTY", "KP-INDIRECT-BUYER"],
          seller="株式会社青葉物産", buyer="KOREA DAESONG GENERAL TRADING CORPORATION", buyer_country="KP"),
        # Screening: the names as other documents write them (legal form,
        # Hangul), a party listed only after the transaction (a review that
        # says so), and names close to a listed one but not surely it.
        H("2018-09-11", "CN", "HK", "8517.62", "Network switches", "300", "u", 240, ["KP-DESIG-PARTY"],
          seller="Korea Mining Development Trading Co., Ltd", buyer="Kowloon Bay Electronics Ltd"),
        H("2019-05-21", "RU", "CN", "2710.19", "Diesel fuel", "1200.000", "t", 610, ["KP-DESIG-PARTY"],
          seller="ООО «Восток Ойл»", buyer="조선광업개발무역회사"),
        H("2017-11-07", "CN", "HK", "8471.30", "Notebook computers", "500", "u", 400, ["KP-DESIG-PARTY"],
          seller="Shenzhen Lianchuang Electronics Co., Ltd.", buyer="Kingly Won International Co., Ltd"),
        H("2018-10-09", "CN", "HK", "8473.30", "Computer parts: memory modules", "2000", "u", 35, ["KP-DESIG-PARTY.POSSIBLE"],
          seller="Shenzhen Lianchuang Electronics Co., Ltd.", buyer="Choe Sok Ming"),
        H("2019-04-16", "RU", "CN", "2701.12", "Steam coal, 5,200 kcal/kg", "6000.000", "t", 90, ["KP-DESIG-PARTY.POSSIBLE"],
          seller="Ли Су Ен", buyer="Hunchun Dongfang Trading Co., Ltd."),
        H("2016-12-13", "CN", "KP", "1006.30", "Milled rice, payment by letter of credit", "3000.000", "t", 430, ["KP-TRADEFIN-2321"]),
        H("2018-02-20", "CN", "KP", "1101.00", "Wheat flour, 25 kg bags", "1500.000", "t", 380, ["KP-TRADEFIN-2321"],
          license="Export credit insurance policy ECI-2018-0442"),
        H("2018-03-06", "CH", "KP", "3004.90", "Medicines: antibiotics and oral rehydration salts", "4000", "kg", 60, ["KP-HUM-EXEMPT"],
          license="1718 Committee humanitarian exemption 2018/05", seller="Helvetia Pharma AG"),
        H("2017-04-18", "IT", "KP", "9018.90", "Medical instruments: surgical sets, neonatal resuscitators", "900", "kg", 210, ["KP-HUM-EXEMPT"],
          license="Humanitarian exemption under 2321 OP46, ref. MED-17-009", seller="Meccanica Padana S.r.l."),
        H("2019-09-17", "NL", "KP", "8413.70", "Submersible water pumps for a rural water-supply project", "60", "u", 2100,
          ["KP-HUM-EXEMPT", "KP-SUP-MACH-2397"], license="1718 Committee exemption, IAN 7, ref. 2019/041",
          seller="Hollandse Machinehandel B.V."),
        H("2016-11-22", "CN", "RU", "8471.30", "Notebook computers", "1500", "u", 380, ["KP-TRANSIT"], route="CN;KP;RU",
          seller="Shenzhen Lianchuang Electronics Co., Ltd.", buyer="ООО «Северный Морской Путь»"),
        H("2019-07-16", "CN", "RU", "6110.30", "Knitted pullovers, acrylic", "8000", "u", 6, ["KP-TRANSIT"], route="CN;KP;RU",
          seller="Guangzhou Jinfeng Garments Co., Ltd.", buyer="ООО «Дальневосточный Экспорт»"),
        H("2018-02-27", "DE", "CN", "8471.30", "Industrial computers", "40", "u", 2600, ["KP-INDIRECT-BUYER"],
          seller="Süddeutsche Antriebstechnik GmbH", buyer="Sunrise Trading (Shenyang office)", buyer_country="KP"),
        H("2016-05-24", "JP", "CN", "8429.52", "Hydraulic excavators, 20 t, used", "3", "u", 48000, ["KP-INDIRECT-BUYER"],
          seller="株式会社みなと商事", buyer="Korea Sinhung Machinery Import Corp. (Dalian office)", buyer_country="KP"),
        # ── trade-2397.cordon ──
        H("2018-02-13", "KP", "CN", "0802.92", "Pine nuts, shelled", "40.000", "t", 9800, ["KP-EXP-FOODAG-2397"]),
        H("2018-01-12", "KP", "CN", "1211.20", "Ginseng roots, dried", "6.000", "t", 41000, ["KP-EXP-FOODAG-2397"],
          license=CONTRACT.format("KG-2017-12", "2017-12-01")),
        H("2018-04-24", "KP", "CN", "8429.52", "Hydraulic excavators, used", "6", "u", 21000, ["KP-EXP-MACH-2397"]),
        H("2018-01-09", "KP", "CN", "8483.40", "Gear boxes for mining conveyors", "40", "u", 3300, ["KP-EXP-MACH-2397"],
          license=CONTRACT.format("RS-1207", "2017-12-07")),
        H("2018-06-05", "KP", "CN", "8544.30", "Wiring harness sets for vehicles", "30000", "u", 7.5, ["KP-EXP-ELEC-2397"]),
        H("2019-11-26", "KP", "CN", "8517.13", "Smartphones, assembled", "3000", "u", 95, ["KP-EXP-ELEC-2397"]),
        H("2018-03-20", "KP", "CN", "2519.90", "Dead-burned magnesia, 90 % MgO", "8000.000", "t", 260, ["KP-EXP-EARTH-2397"]),
        H("2019-08-27", "KP", "CN", "2519.10", "Natural magnesite, lumps", "12000.000", "t", 75, ["KP-EXP-EARTH-2397"]),
        H("2018-05-08", "KP", "CN", "4403.23", "Spruce logs, 4 m", "2500.000", "m3", 110, ["KP-EXP-WOOD-2397"]),
        H("2019-12-03", "KP", "CN", "4407.11", "Sawn pine lumber, 50 mm", "1800.000", "m3", 190, ["KP-EXP-WOOD-2397"]),
        H("2018-08-28", "KP", "CN", "8902.00", "Used fishing vessel, 280 GT, built 1989", "1", "u", 240000, ["KP-EXP-VESSEL-2397"],
          seller="Chongjin Fisheries Export Co."),
        H("2016-12-20", "CN", "KP", "8901.20", "New product tanker, 3,200 dwt", "1", "u", 6200000, ["KP-HELI-VSL-2321"]),
        H("2017-07-04", "RU", "KP", "8802.12", "New civil helicopter, 3 t class, passenger configuration", "1", "u", 7800000,
          ["KP-HELI-VSL-2321", "KP-CATCHALL-2270"]),
        H("2018-01-30", "CN", "KP", "8471.30", "Notebook computers", "500", "u", 350, ["KP-SUP-MACH-2397"]),
        H("2019-05-14", "CN", "KP", "8517.13", "Smartphones", "2000", "u", 140, ["KP-SUP-MACH-2397"]),
        H("2018-02-27", "RU", "KP", "8601.10", "Electric locomotives, 3 kV DC", "2", "u", 2300000, ["KP-SUP-VEH-2397"]),
        H("2018-11-06", "RU", "KP", "8807.30", "Spare parts for Tu-204-100B passenger aircraft: brake assemblies", "12", "u", 18000,
          ["KP-SUP-VEH-2397"]),
        H("2019-09-24", "CN", "KP", "8711.20", "Motorcycles, 125 cc", "300", "u", 520, ["KP-SUP-VEH-2397"]),
        H("2018-03-06", "CN", "KP", "7308.90", "Steel structures for a warehouse", "180.000", "t", 1450, ["KP-SUP-METAL-2397"]),
        H("2019-02-26", "CN", "KP", "7610.10", "Aluminium window frames", "2500", "u", 85, ["KP-SUP-METAL-2397"]),
        H("2018-04-10", "CN", "KP", "8901.90", "Used general cargo vessel, built 1998, 4,900 dwt", "1", "u", 1900000,
          ["KP-SUP-VEH-2397", "KP-VSL-SUP-2397", "KP-HELI-VSL-2321"]),
        H("2019-07-30", "CN", "KP", "8902.00", "New fishing trawler, 38 m", "1", "u", 2600000,
          ["KP-SUP-VEH-2397", "KP-VSL-SUP-2397", "KP-HELI-VSL-2321"]),
        # ── fail closed: DPRK trade without a goods description ──
        H("2016-07-26", "CN", "KP", "8419.89", "", "6", "u", 14000, ["KP-WMD-1718.LIST-ITEMS"]),
        H("2017-02-08", "CN", "KP", "8901.20", "", "1", "u", 2400000, ["KP-HELI-VSL-2321", "KP-TRADEFIN-2321", "KP-WMD-1718.LIST-ITEMS"]),
        H("2018-08-14", "RU", "KP", "2710.19", "", "900.000", "t", 620,
          ["KP-AVFUEL-2270", "KP-RPP-2397", "KP-TRADEFIN-2321", "KP-WMD-1718.LIST-ITEMS", "KP-STS-2375"]),
        # ── rules added with "nothing fails open" (issue 10): dated last and with
        # their parties given, so that every earlier row keeps its id and line ──
        H("2019-12-31", "RU", "KP", "2710.19", "Kerosene", "800.000", "t", 640,
          ["KP-AVFUEL-2270.UNCLEAR", "KP-RPP-2397"], seller="ООО «Хасанская Логистика»",
          buyer="Korea Sinhung Machinery Import Corp."),
        H("2019-12-31", "KP", "CN", "2615.90", "Niobium-tantalum ore concentrate", "60.000", "t", 4200,
          ["KP-MIN-2270.MIXED-ORE"], seller="Korea Rakwon Minerals Export Corp.",
          buyer="Shenyang Liaobei Coal Trading Co., Ltd."),
        H("2019-12-31", "CN", "JP", "1006.30", "Milled rice, 25 kg bags", "500.000", "t", 480,
          ["KP-INDIRECT-SELLER"], seller="Rason Haebit Trading Co.", seller_country="KP", buyer="株式会社みなと商事"),
        H("2019-12-31", "VN", "US", "6109.10", "Cotton T-shirts", "12000", "u", 3.4,
          ["KP-DESIG-PARTY.UNSCREENED"], seller="Công ty TNHH Dệt May Sài Gòn Xanh", buyer=""),
    ]


def hit_rows(world, rng):
    for name in KP_PARTIES + [n for names in BORDER_TRADERS.values() for n in names]:
        assert normalize(name) not in world.parties, name
    rows = []
    for spec in hit_specs():
        s = dict(spec)
        o, d = s["origin"], s["destination"]
        assert o in world.iso and d in world.iso
        for c in (s.get("route") or "").split(";"):
            assert not c or c in world.iso, c
        if "seller" not in s:
            s["seller"] = rng.choice(KP_PARTIES if o == "KP" else BORDER_TRADERS.get(o) or [n for n, _ in COMPANIES[o]])
        if "buyer" not in s:
            s["buyer"] = rng.choice(KP_PARTIES if d == "KP" else BORDER_TRADERS.get(d) or [n for n, _ in COMPANIES[d]])
        cur = s.get("currency", "USD")
        q = Decimal(s["quantity"])
        year = int(s["date"][:4])
        rate = dec(FX[cur][year]) if cur != "USD" else Decimal(1)
        value = money(q * dec(s["price"]) * rate)
        ship = s.get("vessel", ("", "", ""))
        row = {
            "date": s["date"], "origin": o, "destination": d, "hs_code": s["hs_code"], "route": s.get("route", ""),
            "seller": s["seller"], "buyer": s["buyer"],
            "seller_country": s.get("seller_country", o), "buyer_country": s.get("buyer_country", d),
            "vessel_imo": ship[0], "vessel_name": ship[1], "vessel_flag": ship[2],
            "description": s["description"], "quantity": s["quantity"], "unit": s["unit"], "value": str(value),
            "currency": cur, "license": s.get("license", ""),
            # A pre-adoption contract cited in the licence field carries its date.
            "contract_date": contract_date(s.get("license", "")),
        }
        # The HS 2022 subheading must exist; designated names only where a
        # designation rule is meant to fire, and then only after the listing.
        assert row["hs_code"].replace(".", "")[:6] in world.hs, row["hs_code"]
        for name in (row["seller"], row["buyer"]):
            listed = world.parties.get(normalize(name))
            assert listed is None or "KP-DESIG-PARTY" in s["expect"], (name, listed)
        if row["vessel_name"] and normalize(row["vessel_name"]) in world.vessel_names:
            assert any(r.startswith("KP-DESIG-VESSEL") for r in s["expect"]), row["vessel_name"]
        rows.append((row, s["expect"]))
    return rows


# ───────────────────────────── malformed rows ─────────────────────────────


def malformed_rows(world, rng):
    """Deliberately broken rows: (row, what is wrong, expected outcome)."""
    base = {
        "route": "", "seller_country": "", "buyer_country": "", "vessel_imo": "", "vessel_name": "",
        "vessel_flag": "", "license": "", "contract_date": "",
    }

    def row(**kw):
        r = dict(base)
        r.update(kw)
        return r

    bad_imo = "9321484"
    assert imo(bad_imo[:6]) != bad_imo
    return [
        (row(date="2017-02-30", origin="CN", destination="US", hs_code="8471.30", seller="Shenzhen Lianchuang Electronics Co., Ltd.",
             buyer="Bayview Electronics Inc.", seller_country="CN", buyer_country="US", description=world.hs["847130"],
             quantity="1200", unit="u", value="498000.00", currency="USD"),
         "impossible date `2017-02-30`", "invalid (required `date`)"),
        (row(date="2018-06-14", origin="XX", destination="DE", hs_code="6109.10", seller="Anadolu Tekstil Sanayi ve Ticaret A.Ş.",
             buyer="Müller & Söhne Feinmechanik GmbH", seller_country="TR", buyer_country="DE", description=world.hs["610910"],
             quantity="12000", unit="u", value="43200.00", currency="EUR"),
         "unknown country code `XX` in `origin`", "invalid (required `origin`)"),
        (row(date="2016-11-03", origin="AU", destination="JP", hs_code="2701.12", seller="Hunter Valley Coal Marketing Pty Ltd",
             buyer="株式会社みなと商事", seller_country="AU", buyer_country="JP", description=world.hs["270112"],
             quantity="12 tons", unit="t", value="1128.00", currency="USD"),
         "non-numeric quantity `12 tons`", "evaluated with a data-quality note on `quantity` (optional field); pass"),
        (row(date="2019-04-02", origin="NL", destination="GB", hs_code="0406.90", seller="De Vries Zuivel B.V.",
             buyer="Northern Spirits Distillers Ltd", seller_country="NL", buyer_country="GB", description=world.hs["040690"],
             quantity="18.5", unit="kg", value="-1850.00", currency="EUR"),
         "negative value `-1850.00`", "evaluated with a data-quality note on `value` (optional, non-negative); pass"),
        ("SHORT", "row with 12 of the 20 fields (cut off after `vessel_name`)", "invalid (row has 12 fields, header has 20)"),
        (row(date="2017-09-12", origin="ID", destination="IN", hs_code="27A1", seller="PT Kalimantan Batubara Sejahtera",
             buyer="Narmada Steel Traders Pvt. Ltd.", seller_country="ID", buyer_country="IN", description="Coal; steam coal",
             quantity="55000.000", unit="t", value="3410000.00", currency="USD"),
         "HS code with a letter: `27A1`", "invalid (required `hs_code`)"),
        (row(date="2018-10-23", origin="VN", destination="US", hs_code="", seller="Công ty TNHH Dệt May Sài Gòn Xanh",
             buyer="Midwest Ag Exports LLC", seller_country="VN", buyer_country="US", description="Cotton T-shirts",
             quantity="24000", unit="u", value="91200.00", currency="USD"),
         "empty required field `hs_code`", "invalid (required `hs_code` is empty)"),
        (row(date="2018-07-09", origin="BR", destination="CN", hs_code="1201.90", seller="Agropecuária Cerrado Verde Ltda.",
             buyer="青岛海润国际贸易有限公司", seller_country="BR", buyer_country="CN", vessel_imo=bad_imo,
             vessel_name="SANTA LUCIA BULK", vessel_flag="PA", description=world.hs["120190"], quantity="63000.000", unit="t",
             value="22680000.00", currency="USD"),
         f"IMO number `{bad_imo}` fails the check digit",
         "evaluated with a data-quality note on `vessel_imo`; review, because KP-DESIG-VESSEL cannot be decided (fail closed)"),
        (row(date="2019-01-17", origin="KR", destination="VN", hs_code="8517.13", seller="한빛전자 주식회사",
             buyer="Công ty TNHH Điện tử Hà Nội Tân Tiến", seller_country="KR", buyer_country="VN", description=world.hs["851713"],
             quantity="5000", unit="u", value="1150000.00", currency="US$"),
         "currency `US$` is not an ISO 4217 code", "evaluated with a data-quality note on `currency`; pass"),
    ]


SHORT_ROW = {"date": "2016-08-09", "origin": "PL", "destination": "CZ", "hs_code": "8418.10", "route": "",
             "seller": "Gdańskie Maszyny Rolnicze Sp. z o.o.", "buyer": "Plzeňská elektrotechnika s.r.o.",
             "seller_country": "PL", "buyer_country": "CZ", "vessel_imo": "", "vessel_name": ""}


# ───────────────────────────── assembling the files ─────────────────────────────


def build_trade(world):
    rng = random.Random(SEED)
    ordinary, fleet = ordinary_rows(world, rng, N_ORDINARY)
    hits = hit_rows(world, rng)
    broken = malformed_rows(world, rng)
    entries = [("ordinary", r, None) for r in ordinary]
    entries += [("hit", r, expect) for r, expect in hits]
    for r, what, outcome in broken:
        if r == "SHORT":
            entries.append(("malformed", dict(SHORT_ROW), (what, outcome, True)))
        else:
            entries.append(("malformed", r, (what, outcome, False)))
    # Sort by date (stable: generation order breaks ties), then number per year.
    entries.sort(key=lambda e: e[1]["date"])
    counters = {}
    for kind, r, extra in entries:
        year = r["date"][:4]
        counters[year] = counters.get(year, 0) + 1
        r["id"] = f"TX-{year}-{counters[year]:06d}"
    return entries, fleet


def write_csv(path, fields, entries):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    for kind, r, extra in entries:
        if kind == "malformed" and extra[2]:
            w.writerow([r["id"]] + [r[f] for f in fields[1:12]])
        else:
            w.writerow([r[f] for f in fields])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def json_record(fields, r, overrides=None):
    """One JSON object, keys in schema order; numbers written as JSON numbers
    with the exact decimal text; empty values as null; route as a list."""
    parts = []
    for f in fields:
        v = r.get(f, "")
        if overrides and f in overrides:
            text = overrides[f]
        elif v == "":
            text = "null"
        elif f == "route":
            text = json.dumps(v.split(";"), ensure_ascii=False)
        elif f in ("quantity", "value"):
            Decimal(v)  # must be a plain number
            text = v
        else:
            text = json.dumps(v, ensure_ascii=False)
        parts.append(f"{json.dumps(f)}: {text}")
    return "{" + ", ".join(parts) + "}"


SAMPLE_RULES = [
    "KP-ARMS-SALW-2270", "KP-WMD-1718.LIST-ITEMS", "KP-CATCHALL-2270", "KP-AVFUEL-2270", "KP-RPP-OVER-CAP",
    "KP-CRUDE-2397", "KP-LUX-2321", "KP-LUX-2321.UNPRICED", "KP-DESIG-VESSEL", "KP-DESIG-VESSEL.NO-IMO",
    "KP-STS-2375", "KP-COAL-CAP-2321", "KP-COAL-IRON-2371", "KP-RAJIN", "KP-MIN-2270", "KP-SEAFOOD-2371",
    "KP-TEXTILE-2375", "KP-DESIG-PARTY", "KP-HUM-EXEMPT", "KP-TRANSIT", "KP-EXP-MACH-2397", "KP-SUP-VEH-2397",
]


def write_sample(path, fields, entries):
    rng = random.Random(SEED + 1)
    picked, seen = [], set()
    for rule in SAMPLE_RULES:
        # A row built for the rule first; a row it merely also fires on only if there is none.
        built = [i for i, (kind, _, expect) in enumerate(entries) if kind == "hit" and expect[0] == rule and i not in seen]
        also = [i for i, (kind, _, expect) in enumerate(entries) if kind == "hit" and rule in expect and i not in seen]
        choice = (built or also or [None])[0]
        if choice is None:
            raise AssertionError(rule)
        picked.append(choice)
        seen.add(choice)
    ordinary = [i for i, e in enumerate(entries) if e[0] == "ordinary"]
    chosen = rng.sample(ordinary, 38)
    picked += chosen[:36]
    truncated_src, true_src = chosen[36], chosen[37]
    lines = []
    for i in sorted(picked + [truncated_src, true_src]):
        if i == truncated_src:  # cut off in the middle of the seller's name
            text = json_record(fields, entries[i][1])
            text = text[: text.index('"seller"') + 20]
        elif i == true_src:  # a JSON boolean where a number belongs
            text = json_record(fields, entries[i][1], {"quantity": "true"})
        else:
            text = json_record(fields, entries[i][1])
        lines.append((i, text))
    path.write_text("".join(text + "\n" for _, text in lines), encoding="utf-8", newline="")
    return [entries[i][1]["id"] for i, _ in lines], entries[truncated_src][1]["id"], entries[true_src][1]["id"]


# ── the ERP export: one firm's own view of its sales ──

ERP_COLUMNS = ["TxnRef", "ShipDate", "Warehouse", "Exporter", "ExporterCountry", "Customer", "CustomerCountry",
               "CountryOfOrigin", "FinalDestination", "TransitCountries", "HSCode", "GoodsDescription", "Qty", "UoM",
               "InvoiceValue", "Curr", "VesselIMO", "VesselName", "VesselFlag", "ExportLicence"]
FIRM = "Elbtal Werkzeugmaschinen GmbH"
ERP_GOODS = [
    # CN8 code, description, unit, qty range, EUR price range
    ("84581100", "CNC-Drehmaschine ELT 400 / CNC lathe", "Stk", (1, 3), (78000, 145000)),
    ("84596100", "CNC-Fräsmaschine EFM 850 / CNC milling machine", "Stk", (1, 2), (95000, 210000)),
    ("84602300", "Rundschleifmaschine ERS 1000 / cylindrical grinder", "Stk", (1, 2), (120000, 260000)),
    ("84669340", "Ersatzteile für Werkzeugmaschinen / machine-tool spare parts", "kg", (40, 2500), (35, 120)),
    ("84137035", "Kreiselpumpe KRP 80 / centrifugal pump", "Stk", (4, 60), (900, 3800)),
    ("84818085", "Regelventile DN 50 / control valves", "Stk", (20, 400), (140, 620)),
    ("85371091", "Steuerungseinheit CNC-S7 / CNC control unit", "Stk", (2, 40), (4200, 11000)),
    ("84661038", "Spannzeuge und Werkzeughalter / tool holders", "Satz", (10, 300), (85, 480)),
]
ERP_CUSTOMERS = [
    ("US", "Pacific Coast Machinery Inc."), ("CN", "Zhejiang Qiantang Machinery Co., Ltd."), ("PL", "Gdańskie Maszyny Rolnicze Sp. z o.o."),
    ("CZ", "Česká strojírna Brno s.r.o."), ("TR", "Ege Çelik Dış Ticaret A.Ş."), ("IN", "Narmada Steel Traders Pvt. Ltd."),
    ("MX", "Autopartes del Bajío S.A. de C.V."), ("KR", "새한정밀 주식회사"), ("VN", "Công ty TNHH Điện tử Hà Nội Tân Tiến"),
    ("RU", "ООО «Уральский Металл»"), ("IT", "Meccanica Padana S.r.l."), ("FR", "Société Lyonnaise de Mécanique SARL"),
    ("JP", "東邦精機株式会社"), ("BR", "Mineração Serra Azul S.A."), ("UA", "ТОВ «Приазовський Метал»"),
]
WAREHOUSES = ["DD-Nord", "DD-Süd", "HH-Hafen", "Chemnitz-Zentrallager"]


def de_number(d, places):
    s = f"{d:,.{places}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def hs_erp(code, rng):
    return rng.choice([code, f"{code[:4]} {code[4:6]} {code[6:]}", f"{code[:4]}.{code[4:6]}.{code[6:]}"])


def write_erp(path, world, fleet):
    rng = random.Random(SEED + 2)
    rows = []
    for _ in range(34):
        code, desc, unit, (qmin, qmax), (pmin, pmax) = rng.choice(ERP_GOODS)
        bc, buyer = rng.choice(ERP_CUSTOMERS)
        rows.append(dict(date=random_date(rng), code=code, desc=desc, unit=unit, q=Decimal(rng.randint(qmin, qmax)),
                         price=Decimal(rng.randint(pmin * 100, pmax * 100)) / 100, bc=bc, buyer=buyer, dest=bc, route="",
                         ship=None, lic="", cur="EUR" if rng.random() < 0.75 else "USD"))
    # Rows the rules act on (and one made invalid on purpose).
    specials = [
        dict(date=date(2016, 5, 24), code="84596100", desc="CNC-Fräsmaschine EFM 850 / CNC milling machine", unit="Stk",
             q=Decimal(1), price=Decimal("148500.00"), bc="KP", buyer="Korea Sinhung Machinery Import Corp.", dest="KP",
             route="DE|NL|CN|KP", ship=None, lic="", cur="EUR", note="KP-CATCHALL-2270.PROGRAMMES"),
        dict(date=date(2017, 10, 11), code="84669340", desc="Ersatzteile für Werkzeugmaschinen / machine-tool spare parts",
             unit="kg", q=Decimal(320), price=Decimal("64.50"), bc="HK", buyer="Leader (Hong Kong) International Trading Limited",
             dest="HK", route="DE|NL|SG|HK", ship=None, lic="", cur="EUR", note="KP-DESIG-PARTY"),
        dict(date=date(2018, 6, 19), code="84581100", desc="CNC-Drehmaschine ELT 400 / CNC lathe", unit="Stk", q=Decimal(2),
             price=Decimal("96400.00"), bc="CN", buyer="Zhejiang Qiantang Machinery Co., Ltd.", dest="CN", route="DE|NL|SG|CN",
             ship=("9562233", "PETREL 8", ""), lic="", cur="EUR", note="KP-DESIG-VESSEL"),
        dict(date=date(2018, 11, 5), code="84137035", desc="Kreiselpumpe KRP 80 / centrifugal pump", unit="Stk", q=Decimal(12),
             price=Decimal("2950.00"), bc="KP", buyer="Pyongyang Taedong Foodstuffs Co. (Shenyang office)", dest="CN",
             route="DE|RU|CN", ship=None, lic="", cur="EUR", note="KP-INDIRECT-BUYER"),
        dict(date=date(2019, 9, 3), code="84137035", desc="Kreiselpumpe KRP 80 für Trinkwasserprojekt / pumps for a drinking-water project",
             unit="Stk", q=Decimal(24), price=Decimal("2480.00"), bc="KP", buyer="Pyongyang Taedong Foodstuffs Co.", dest="KP",
             route="DE|CN|KP", ship=None, lic="1718 Committee humanitarian exemption 2019/17", cur="EUR",
             note="KP-SUP-MACH-2397, KP-HUM-EXEMPT"),
        dict(date=date(2018, 3, 14), code="84818085", desc="Regelventile DN 50 / control valves", unit="Stk", q=Decimal(150),
             price=Decimal("312.00"), bc="TR", buyer="Ege Çelik Dış Ticaret A.Ş.", dest="TR", route="", ship=None, lic="",
             cur="EUR", iso_date=True, note="invalid on purpose: ShipDate in ISO form"),
    ]
    for r in specials:
        r["fixed"] = True  # transport exactly as written above
    rows += specials
    for r in rows:
        if r["ship"] is None and not r.get("fixed") and r["dest"] not in ("PL", "CZ", "IT", "FR", "TR", "RU", "UA") and rng.random() < 0.45:
            number, name, flag = rng.choice(fleet["container"])
            r["ship"] = (number, name, flag)
            if not r["route"]:
                r["route"] = "|".join(["DE", rng.choice(["NL", "BE"]), r["dest"]])
        if not r["lic"] and r["code"].startswith(("8458", "8459", "8460")) and r["dest"] in ("CN", "RU", "IN", "TR", "UA"):
            r["lic"] = f"BAFA-AG-{r['date'].year}-{rng.randint(10000, 99999)}"
    rows.sort(key=lambda r: r["date"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(ERP_COLUMNS)
    notes = []
    for n, r in enumerate(rows, 1):
        ref = f"ELT-{r['date'].year % 100:02d}-{4000 + n * 7:05d}"
        value = money(r["q"] * r["price"] * (Decimal(1) if r["cur"] == "EUR" else 1 / dec(FX["EUR"][r["date"].year])))
        ship = r["ship"] or ("", "", "")
        when = r["date"].isoformat() if r.get("iso_date") else r["date"].strftime("%d/%m/%Y")
        w.writerow([ref, when, rng.choice(WAREHOUSES), FIRM, "DE", r["buyer"], r["bc"], "DE", r["dest"], r["route"],
                    hs_erp(r["code"], rng), r["desc"], de_number(r["q"], 0), r["unit"], de_number(value, 2), r["cur"],
                    ship[0], ship[1], ship[2], r["lic"]])
        if "note" in r:
            notes.append((ref, r["note"]))
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=SEEDS / "transactions")
    ap.add_argument("--manifest", type=Path)
    args = ap.parse_args()
    world = World()
    entries, fleet = build_trade(world)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "trade-2016-2019.csv", world.fields, entries)
    sample_ids, cut_id, true_id = write_sample(args.out / "sample.jsonl", world.fields, entries)
    erp_notes = write_erp(args.out / "erp-export.csv", world, fleet)
    kinds = {k: sum(1 for e in entries if e[0] == k) for k in ("ordinary", "hit", "malformed")}
    print(f"trade-2016-2019.csv: {len(entries)} rows ({kinds['ordinary']} ordinary, {kinds['hit']} hit, "
          f"{kinds['malformed']} malformed)", file=sys.stderr)
    print(f"sample.jsonl: {len(sample_ids)} lines (truncated: {cut_id}; quantity true: {true_id})", file=sys.stderr)
    print(f"erp-export.csv: rows of note: {erp_notes}", file=sys.stderr)
    if args.manifest:
        manifest = {
            "hits": {r["id"]: expect for kind, r, expect in entries if kind == "hit"},
            "malformed": {r["id"]: {"problem": extra[0], "expected": extra[1]} for kind, r, extra in entries if kind == "malformed"},
            "sample_broken": {"truncated": cut_id, "quantity_true": true_id},
            "erp": dict(erp_notes),
        }
        args.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
