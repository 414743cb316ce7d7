#!/usr/bin/env python3
"""Generates whois/country/data/country_data.inc, the compiled-in tables behind whois::CountryTable.

Run once by hand when the sources change; the build never runs it and never reads the sources:

  python3 whois/country/data/gen_country_data.py \
      --country-codes /work/shared/data/country-codes/country-codes.csv \
      --iana-tld-dir /work/shared/data/iana-tld-whois \
      --out whois/country/data/country_data.inc

Inputs (see README.md for provenance and licences):
  * country-codes.csv (datasets/country-codes, PDDL): ISO 3166-1 alpha-2/alpha-3 codes and names.
  * one IANA WHOIS answer per TLD (whois.iana.org): which TLDs are delegated, the Unicode form of
    IDN TLDs and the sponsoring organisation's address, used to cross-check the curated lists.

The curated decisions (exceptional ccTLDs, IDN ccTLDs, geographic gTLDs, extra country-name
aliases) live in the tables below so that each one is a reviewed line with its reason.
"""

import argparse
import csv
import os
import re
import sys
import unicodedata

# ccTLDs that are not an ISO 3166-1 alpha-2 code, or that deliberately give no country.
# Value None means "no country".
EXCEPTIONAL_CCTLDS = {
    "uk": "GB",   # UK is ISO 'exceptionally reserved' for the United Kingdom, whose code is GB.
    "gb": "GB",   # Assigned to the UK, delegated but unused; map it anyway.
    "ac": "SH",   # Ascension Island (AC is exceptionally reserved) is part of SH, Saint Helena,
                  # Ascension and Tristan da Cunha; report the assigned code.
    "eu": None,   # European Union: a union of states, not a country.
    "su": None,   # Soviet Union (transitionally reserved): the registry sits in Russia but the
                  # name covers 15 present states and registration is open; claim none.
}

# IDN ccTLDs (IANA root zone database, type "country-code", Fast Track / ccPDP) -> the ASCII twin's
# country. Every entry must be delegated in the IANA snapshot; the sponsor's address is
# cross-checked below. The Greek and Cyrillic forms of .eu follow .eu and give no country.
IDN_CCTLDS = {
    "xn--mgbaam7a8h": "AE",      # امارات
    "xn--y9a3aq": "AM",          # հայ
    "xn--54b7fta0cc": "BD",      # বাংলা
    "xn--90ae": "BG",            # бг
    "xn--mgbcpq6gpa1a": "BH",    # البحرين
    "xn--90ais": "BY",           # бел
    "xn--fiqs8s": "CN",          # 中国
    "xn--fiqz9s": "CN",          # 中國
    "xn--lgbbat1ad8j": "DZ",     # الجزائر
    "xn--wgbh1c": "EG",          # مصر
    "xn--e1a4c": None,           # ею (.eu)
    "xn--qxa6a": None,           # ευ (.eu)
    "xn--node": "GE",            # გე
    "xn--qxam": "GR",            # ελ
    "xn--j6w193g": "HK",         # 香港
    "xn--4dbrk0ce": "IL",        # ישראל
    "xn--2scrj9c": "IN",         # ಭಾರತ
    "xn--3hcrj9c": "IN",         # ଭାରତ
    "xn--45br5cyl": "IN",        # ভাৰত
    "xn--45brj9c": "IN",         # ভারত
    "xn--fpcrj9c3d": "IN",       # భారత్
    "xn--gecrj9c": "IN",         # ભારત
    "xn--h2breg3eve": "IN",      # भारतम्
    "xn--h2brj9c": "IN",         # भारत
    "xn--h2brj9c8c": "IN",       # भारोत
    "xn--mgbbh1a": "IN",         # بارت
    "xn--mgbbh1a71e": "IN",      # بھارت
    "xn--mgbgu82a": "IN",        # ڀارت
    "xn--rvc1e0am3e": "IN",      # ഭാരതം
    "xn--s9brj9c": "IN",         # ਭਾਰਤ
    "xn--xkc2dl3a5ee0h": "IN",   # இந்தியா
    "xn--mgbtx2b": "IQ",         # عراق
    "xn--mgba3a4f16a": "IR",     # ایران
    "xn--mgbayh7gpa": "JO",      # الاردن
    "xn--3e0b707e": "KR",        # 한국
    "xn--80ao21a": "KZ",         # қаз
    "xn--q7ce6a": "LA",          # ລາວ
    "xn--fzc2c9e2c": "LK",       # ලංකා
    "xn--xkc2al3hye2a": "LK",    # இலங்கை
    "xn--mgbc0a9azcg": "MA",     # المغرب
    "xn--d1alf": "MK",           # мкд
    "xn--l1acc": "MN",           # мон
    "xn--mix891f": "MO",         # 澳門
    "xn--mgbah1a3hjkrd": "MR",   # موريتانيا
    "xn--mgbx4cd0ab": "MY",      # مليسيا
    "xn--mgb9awbf": "OM",        # عمان
    "xn--mgbai9azgqp6j": "PK",   # پاکستان
    "xn--ygbi2ammx": "PS",       # فلسطين
    "xn--wgbl6a": "QA",          # قطر
    "xn--90a3ac": "RS",          # срб
    "xn--p1ai": "RU",            # рф
    "xn--mgberp4a5d4ar": "SA",   # السعودية
    "xn--mgbpl2fh": "SD",        # سودان
    "xn--clchc0ea0b2g2a9gcd": "SG",  # சிங்கப்பூர்
    "xn--yfro4i67o": "SG",       # 新加坡
    "xn--ogbpf8fl": "SY",        # سورية
    "xn--o3cw4h": "TH",          # ไทย
    "xn--pgbs0dh": "TN",         # تونس
    "xn--kprw13d": "TW",         # 台湾
    "xn--kpry57d": "TW",         # 台灣
    "xn--j1amh": "UA",           # укр
}

# Geographic gTLDs: ICANN new-gTLD applications for geographic names (Applicant Guidebook 2.2.1.4,
# city and sub-national region names) plus community TLDs for a region's language/culture that
# are bound to one country (.cat, .gal, .eus, .bzh, .scot, .frl, .tatar ...). Checked against the
# IANA entries. Continental or multi-country names (.africa, .asia, .eu, .lat, .arab, .kiwi
# (NZ slang, not a place), .irish (diaspora)) are deliberately absent.
GEO_GTLDS = {
    # Germany
    "berlin": "DE", "bayern": "DE", "hamburg": "DE", "koeln": "DE", "cologne": "DE",
    "nrw": "DE", "ruhr": "DE", "saarland": "DE",
    # Austria
    "wien": "AT", "tirol": "AT",
    # Switzerland
    "swiss": "CH", "zuerich": "CH",
    # Japan
    "tokyo": "JP", "osaka": "JP", "nagoya": "JP", "yokohama": "JP", "okinawa": "JP",
    "kyoto": "JP", "ryukyu": "JP",
    # France
    "paris": "FR", "alsace": "FR", "bzh": "FR", "corsica": "FR",
    # United Kingdom
    "london": "GB", "scot": "GB", "wales": "GB", "cymru": "GB",
    # United States
    "nyc": "US", "boston": "US", "miami": "US", "vegas": "US",
    # Canada
    "quebec": "CA",
    # Netherlands
    "amsterdam": "NL", "frl": "NL",
    # Belgium
    "brussels": "BE", "vlaanderen": "BE", "gent": "BE",
    # Spain
    "barcelona": "ES", "bcn": "ES", "madrid": "ES", "cat": "ES", "gal": "ES", "eus": "ES",
    # Türkiye
    "istanbul": "TR", "ist": "TR",
    # Russia
    "moscow": "RU", "xn--80adxhks": "RU", "tatar": "RU",  # москва
    # Australia
    "sydney": "AU", "melbourne": "AU",
    # South Africa
    "capetown": "ZA", "durban": "ZA", "joburg": "ZA",
    # Brazil, Taiwan
    "rio": "BR", "taipei": "TW",
    # United Arab Emirates
    "abudhabi": "AE", "xn--mgbca7dzdo": "AE", "dubai": "AE",  # ابوظبي
    # China (city / province IDN gTLDs)
    "xn--1qqw23a": "CN", "xn--xhq521b": "CN",  # 佛山 (Foshan), 广东 (Guangdong)
    # Iraq: the Kurdistan Region's TLD, applied for as a sub-national geographic name.
    "krd": "IQ",
}

# Free-text names WHOIS servers use that the ISO/UN/CLDR name columns do not cover.
EXTRA_ALIASES = {
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom"],
    "US": ["USA", "U.S.A.", "U.S.", "United States", "United States of America"],
    "RU": ["Russia"], "KR": ["South Korea", "Korea, South", "Korea (South)", "Republic of Korea"],
    "KP": ["North Korea"], "IR": ["Iran"], "SY": ["Syria"], "VN": ["Vietnam"], "LA": ["Laos"],
    "MD": ["Moldova"], "TZ": ["Tanzania"], "BO": ["Bolivia"], "VE": ["Venezuela"],
    "TW": ["Taiwan, Province of China", "Taiwan ROC", "Republic of China (Taiwan)"],
    "HK": ["Hong Kong SAR", "Hong Kong S.A.R."], "MO": ["Macau", "Macao SAR"],
    "CZ": ["Czech Republic"], "NL": ["Holland", "The Netherlands", "Nederland"],
    "TR": ["Turkey", "Turkiye"], "CI": ["Ivory Coast", "Cote d'Ivoire"], "SZ": ["Swaziland"],
    "MK": ["Macedonia", "North Macedonia"], "MM": ["Burma"], "CV": ["Cape Verde"],
    "TL": ["East Timor"], "VA": ["Vatican", "Vatican City", "Holy See"],
    "PS": ["Palestine"], "BN": ["Brunei"], "FM": ["Micronesia"], "CN": ["PRC", "P.R. China",
    "People's Republic of China", "China (PRC)", "P.R.C."], "AE": ["UAE", "U.A.E."],
    "DE": ["Deutschland", "Federal Republic of Germany"], "AT": ["Österreich", "Oesterreich"],
    "CH": ["Schweiz", "Suisse", "Svizzera"], "ES": ["España", "Espana"], "IT": ["Italia"],
    "PL": ["Polska"], "FR": ["République française"], "BE": ["België", "Belgique"],
    "SE": ["Sverige"], "NO": ["Norge"], "DK": ["Danmark"], "FI": ["Suomi"],
    "JP": ["Nippon"], "BR": ["Brasil"], "MX": ["México"],
}

# CLDR's short display names are abbreviations for these two; NameOf() wants the name.
DISPLAY_NAME_OVERRIDES = {"GB": "United Kingdom", "US": "United States"}

NAME_COLUMNS = ["CLDR display name", "official_name_en", "UNTERM English Short",
                "UNTERM English Formal", "ISO4217-currency_country_name"]


def name_key(text):
    """Must match NameKey() in whois/country/country.cc: ASCII lower case, every ASCII byte that is not a
    letter or digit becomes a separator, the word 'the' is dropped, single spaces between words.
    Non-ASCII bytes are kept as they are."""
    out = []
    for b in text.encode("utf-8"):
        if b >= 0x80 or chr(b).isalnum():
            out.append(chr(b).lower().encode("latin-1") if b < 0x80 else bytes([b]))
        else:
            out.append(b" ")
    words = [w for w in b"".join(out).split(b" ") if w and w != b"the"]
    return b" ".join(words)


def ascii_fold(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c if ord(c) < 0x80 else " " for c in decomposed
                   if not unicodedata.combining(c))


def iana_sponsor_country(path):
    """Last address line of the sponsoring organisation, e.g. 'Russian Federation (the)'."""
    last, in_org = "", False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("organisation:") and not in_org:
                in_org = True
                continue
            if in_org and line.startswith("address:"):
                last = line[len("address:"):].strip()
            elif in_org and not line.strip():
                break
    return last


def c_string(b):
    out = []
    for byte in b:
        if 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C, 0x3F):
            out.append(chr(byte))
        else:
            out.append("\\x%02x\"\"" % byte)  # split the literal so the next char is not hex
    return '"' + "".join(out) + '"'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--country-codes", required=True)
    ap.add_argument("--iana-tld-dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    warnings, errors = [], []

    rows = list(csv.DictReader(open(args.country_codes, encoding="utf-8")))
    codes = {r["ISO3166-1-Alpha-2"]: r for r in rows if r["ISO3166-1-Alpha-2"]}
    delegated = {f.lower() for f in os.listdir(args.iana_tld_dir) if re.fullmatch(r"[A-Za-z0-9-]+", f)}

    # Names: alpha-2 -> display name.
    display = {c: DISPLAY_NAME_OVERRIDES.get(c, r["CLDR display name"] or r["official_name_en"])
               for c, r in codes.items()}

    # Country name keys -> alpha-2; ambiguous keys are dropped.
    keys, ambiguous = {}, set()

    def add_key(text, code):
        for variant in {text, ascii_fold(text)}:
            k = name_key(variant.replace("*", ""))
            if not k:
                continue
            if k in keys and keys[k] != code:
                ambiguous.add(k)
            keys.setdefault(k, code)

    for code, r in codes.items():
        add_key(code, code)
        add_key(r["ISO3166-1-Alpha-3"], code)
        for col in NAME_COLUMNS:
            if r.get(col):
                add_key(r[col], code)
        add_key(display[code], code)
    for code, aliases in EXTRA_ALIASES.items():
        for a in aliases:
            add_key(a, code)
    for k in sorted(ambiguous):
        warnings.append("ambiguous country name %r dropped" % k.decode())
        del keys[k]

    # TLD -> alpha-2.
    tlds = {}
    for tld in sorted(t for t in delegated if len(t) == 2):
        if tld in EXCEPTIONAL_CCTLDS:
            if EXCEPTIONAL_CCTLDS[tld]:
                tlds[tld] = EXCEPTIONAL_CCTLDS[tld]
        elif tld.upper() in codes:
            tlds[tld] = tld.upper()
        else:
            errors.append("ccTLD .%s is not an ISO 3166-1 code and has no decision" % tld)

    def check_sponsor(tld, code):
        where = iana_sponsor_country(os.path.join(args.iana_tld_dir, tld.upper()))
        if keys.get(name_key(where)) != code:
            warnings.append(".%s -> %s but the IANA sponsor address ends in %r" % (tld, code, where))

    for table in (IDN_CCTLDS, GEO_GTLDS):
        for tld, code in table.items():
            if tld not in delegated:
                warnings.append(".%s is not delegated in the IANA snapshot; skipped" % tld)
                continue
            if code is None:
                continue
            if code not in codes:
                errors.append(".%s maps to unknown code %s" % (tld, code))
                continue
            check_sponsor(tld, code)
            tlds[tld] = code
    for tld in sorted(t for t in delegated if t.startswith("xn--")):
        if tld not in IDN_CCTLDS and tld not in GEO_GTLDS:
            pass  # generic or brand IDN gTLD: no country, by design

    for w in warnings:
        print("warning:", w, file=sys.stderr)
    if errors:
        for e in errors:
            print("error:", e, file=sys.stderr)
        sys.exit(1)

    with open(args.out, "w", encoding="utf-8") as out:
        out.write("// Generated by whois/country/data/gen_country_data.py; do not edit. Sources and licences:\n")
        out.write("// whois/country/data/README.md. Each table is sorted by its first column (bytewise).\n\n")
        out.write("// TLD (A-label) -> ISO 3166-1 alpha-2.\n")
        out.write("constexpr CountryEntry kTldCountries[] = {\n")
        for tld in sorted(tlds):
            out.write("    {%s, %s},\n" % (c_string(tld.encode()), c_string(tlds[tld].encode())))
        out.write("};\n\n// alpha-2 -> English short name (CLDR).\n")
        out.write("constexpr CountryEntry kCountryNames[] = {\n")
        for code in sorted(display):
            out.write("    {%s, %s},\n" % (c_string(code.encode()),
                                           c_string(display[code].encode("utf-8"))))
        out.write("};\n\n// NameKey(free-text country) -> alpha-2.\n")
        out.write("constexpr CountryEntry kCountryAliases[] = {\n")
        for k in sorted(keys):
            out.write("    {%s, %s},\n" % (c_string(k), c_string(keys[k].encode())))
        out.write("};\n")
    print("wrote %s: %d TLDs, %d countries, %d name keys" % (args.out, len(tlds), len(display),
                                                            len(keys)), file=sys.stderr)


if __name__ == "__main__":
    main()
