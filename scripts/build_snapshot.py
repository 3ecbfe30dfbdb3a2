"""Build the bundled Census snapshot and partner registry from the team's shared data folder.

Run by hand when the shared figures change; the package itself never reads that folder:

    python scripts/build_snapshot.py ../shared/data/census

Writes, under reportgen/data/:
- census_country.csv.gz: the figures in the official country.xlsx layout (year, CTY_CODE, CTYNAME,
  IJAN..IDEC, IYR, EJAN..EDEC, EYR; $ millions, one decimal), so the bulk reader reads it too;
- partners.csv: Census code -> store code (ISO alpha-3, or the Census code for groups), names, kind.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "reportgen" / "data"
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
HEADER = ["year", "CTY_CODE", "CTYNAME", *("I" + m for m in MONTHS), "IYR", *("E" + m for m in MONTHS), "EYR"]

# Names for prose, where the Census name reads badly in a sentence.
SHORT_NAMES = {
    "Denmark, except Greenland": "Denmark",
    "Congo, Republic of the Congo": "Republic of the Congo",
    "Congo, Democratic Republic of the Congo (formerly Za": "Democratic Republic of the Congo",
    "Micronesia, Federated States of": "Micronesia",
    "Naoero": "Nauru",
    "Gaza Strip administered by Israel": "Gaza Strip",
    "West Bank administered by Israel": "West Bank",
    "Holy See (Vatican City)": "Holy See",
    "North Korea (Democratic People's Republic of Korea)": "North Korea",
    "South Korea (Republic of Korea)": "South Korea",
    "Laos (Lao People's Democratic Republic)": "Laos",
    "World, Not Seasonally Adjusted": "the world",
}
# Names that take "the" in running text ("the trade deficit with the Netherlands").
WITH_ARTICLE = {
    "Bahamas", "Netherlands", "United Kingdom", "Philippines", "Dominican Republic", "Czech Republic",
    "United Arab Emirates", "Cayman Islands", "British Virgin Islands", "Turks and Caicos Islands",
    "Falkland Islands", "Faroe Islands", "Marshall Islands", "Solomon Islands", "Cook Islands",
    "Gambia", "Central African Republic", "Republic of the Congo", "Democratic Republic of the Congo",
    "Holy See", "Maldives", "Comoros", "Seychelles", "Cocos (Keeling) Islands", "Pitcairn Islands",
    "Gaza Strip", "West Bank", "Netherlands Antilles", "USSR", "European Union", "Pacific Rim",
    "Heard Island and McDonald Islands", "French Southern and Antarctic Lands",
    "British Indian Ocean Territory",
}
# Other names people type for a partner (semicolon-separated in partners.csv).
ALIASES = {
    "0003": "EU", "GBR": "UK;Britain;Great Britain", "KOR": "Korea;Republic of Korea", "CZE": "Czechia",
    "TUR": "Turkiye;Türkiye", "NLD": "Holland", "RUS": "Russian Federation", "ARE": "UAE", "USA": "", "WLD": "World",
    "CIV": "Ivory Coast", "MMR": "Myanmar", "CPV": "Cape Verde", "SWZ": "Swaziland", "MKD": "Macedonia",
    "COD": "DR Congo;DRC", "VNM": "Viet Nam", "TWN": "Chinese Taipei", "HKG": "Hong Kong SAR",
}
# UN M49 codes (what UN Comtrade uses) are ISO 3166 numeric codes for countries, but for these. Taiwan is left
# without one: Comtrade reports it only inside 490 "Other Asia, nes", a residual stored as such, never ranked.
M49_EXCEPTIONS = {"USA": "842", "FRA": "251", "NOR": "579", "CHE": "757", "IND": "699", "TWN": ""}
# Retired Census codes whose entity has an M49 code of its own (a former Sudan, Ethiopia with Eritrea...).
M49_RETIRED = {"2771": "530", "4350": "200", "4610": "810", "4790": "890", "4799": "891", "7320": "736", "7740": "230"}
ISO_CODES = Path("/usr/share/iso-codes/json/iso_3166-1.json")  # Debian's iso-codes package
UNITED_STATES_ALIASES = "U.S.;America;United States of America;Estados Unidos;EEUU"
KIND = {"country": "country", "former": "country", "group": "group", "region": "group",
        "product": "measure", "world": "world", "unallocated": "unallocated"}
# Rows of the file that are not partners but measures beside them: a product category (Advanced
# Technology Products) and imports for consumption claiming NAFTA or USMCA preference (no exports,
# a different import measure). They have no trade balance to brief.
CONSUMPTION = "(Consump)"


def short_name(name: str) -> str:
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    return name.split(" (")[0] if name.endswith(")") and "Keeling" not in name else name


def store_code(entry: dict) -> str:
    code = entry["country_code"]
    if entry["census_code"] == "0015":
        return "WLD"
    if code.startswith(("AGG_", "UNALLOC_")):
        return entry["census_code"]  # groups keep the source's own code
    return code


def m49(entry: dict, code: str, kind: str, numeric: dict[str, str]) -> str:
    """The partner's UN M49 code: 0 for the world, a country's ISO numeric code (with M49's exceptions)."""
    if code == "WLD":
        return "0"
    if kind != "country":
        return ""
    if not entry["iso2"]:
        return M49_RETIRED.get(entry["census_code"], "")
    return M49_EXCEPTIONS.get(code, numeric.get(code, ""))


def millions(value) -> str:
    return "0" if value is None else format(Decimal(str(value)), "f")


def main(census_dir: Path) -> None:
    entries = json.loads((census_dir / "countries.json").read_text())
    entries = [e for e in entries if e["census_code"] != "0004"]  # seasonally adjusted: never mixed in
    OUT.mkdir(parents=True, exist_ok=True)
    numeric = {c["alpha_3"]: c["numeric"] for c in json.loads(ISO_CODES.read_text())["3166-1"]}

    # Spanish names were written by hand (issue 14): a rebuild keeps them, by store code.
    previous = OUT / "partners.csv"
    spanish = {r["code"]: r.get("name_es", "") for r in csv.DictReader(previous.open())} if previous.exists() else {}
    with (OUT / "partners.csv").open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["census_code", "code", "iso2", "name", "short_name", "article", "kind", "aliases", "m49",
                    "name_es"])
        for e in sorted(entries, key=lambda e: e["census_code"]):
            short = short_name(e["name"])
            code = store_code(e)
            kind = "measure" if e["name"].endswith(CONSUMPTION) else KIND[e["kind"]]
            w.writerow([e["census_code"], code, e["iso2"] or "", e["name"], short,
                        "the" if short in WITH_ARTICLE else "", kind, ALIASES.get(code, ""),
                        m49(e, code, kind, numeric), spanish.get(code, "")])
        # The United States is no partner in Census data, but one in other reporters' (UN Comtrade's).
        w.writerow(["", "USA", "US", "United States", "United States", "the", "country", UNITED_STATES_ALIASES, "842",
                    "Estados Unidos"])

    # The newest Census code of each partner: recoded partners are already merged in the shared data.
    census_of: dict[str, dict] = {}
    for e in entries:
        if e["country_code"] not in census_of or e["last_year"] >= census_of[e["country_code"]]["last_year"]:
            census_of[e["country_code"]] = e

    national = json.loads((census_dir / "trade_national.json").read_text())
    world = {r["period"]: r for r in national
             if r["basis"] == "census" and r["scope"] == "goods" and r["adjustment"] == "nsa"}

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for path in sorted(census_dir.glob("trade_by_country_*.json")):
        year = int(path.stem.rsplit("_", 1)[1])
        rows = json.loads(path.read_text(), parse_float=Decimal)
        months = [world.get(f"{year}-{m:02d}") for m in range(1, 13)]
        w.writerow([year, "0015", "World, Not Seasonally Adjusted",
                    *(millions(m and m["imports"]) for m in months), millions(world[str(year)]["imports"]),
                    *(millions(m and m["exports"]) for m in months), millions(world[str(year)]["exports"])])
        for r in sorted(rows, key=lambda r: census_of[r["country_code"]]["census_code"]):
            e = census_of[r["country_code"]]
            w.writerow([year, e["census_code"], e["name"],
                        *map(millions, r["imports"]), millions(r["imports_year"]),
                        *map(millions, r["exports"]), millions(r["exports_year"])])
    # mtime=0 keeps the archive byte-identical between runs.
    (OUT / "census_country.csv.gz").write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
    print(f"wrote {OUT / 'partners.csv'} and {OUT / 'census_country.csv.gz'}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/build_snapshot.py PATH/TO/shared/data/census")
    main(Path(sys.argv[1]))
