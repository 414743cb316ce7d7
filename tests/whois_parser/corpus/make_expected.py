#!/usr/bin/env python3
"""Converts the weppos/whois-parser expectation files (a small Ruby DSL) into expected.tsv.

Usage: python3 make_expected.py [WEPPOS_RESPONSES] > expected.tsv   (run from this folder)

WEPPOS_RESPONSES is weppos' spec/fixtures/responses folder; by default the copy beside the
checkout, ../shared/data/whois-samples/weppos/responses (the replies are read from there at test
time too, never copied into the repository).

Output: one row per expected field, tab-separated:
    fixture (path under weppos/responses)  server  field  value
Fields: domain, status (registered|not_found), kind (refused), registrar, created, updated,
expires (ISO 8601 UTC; date-only expectations keep only YYYY-MM-DD and are compared on the
date), nameservers (comma-joined, lower case, in order), registrant_org, registrant_country.
Only values the sample states are written; `nil`, `[]` and %ERROR{...} expectations are skipped.
Times written without a zone are taken as UTC (weppos' specs run with TZ unset on CI).
A few expectations are corrected (OVERRIDES below, each with its reason).
"""
import datetime
import os
import re
import sys

# Expectations of the weppos fixtures this project reads differently, with the reason. The value
# replaces weppos' (None drops the expectation).
OVERRIDES = {
    # weppos ignores the "(JST)" / "EAT" zone the registry prints; the instant is 9 h / 3 h earlier.
    ("whois.jprs.jp/jp/status_registered.txt", "updated"): "2013-05-31T16:05:07Z",
    ("whois.jprs.jp/jp/status_reserved.txt", "updated"): "2001-02-20T15:00:00Z",
    ("whois.jprs.jp/ne.jp/status_registered.txt", "updated"): "2009-10-23T10:22:08Z",
    ("whois.co.ug/ug/status_registered.txt", "updated"): "2009-11-10T11:06:58Z",
    ("whois.register.bg/bg/status_registered.txt", "created"): "2003-06-29T21:00:00Z",  # EEST
    ("whois.register.bg/bg/status_registered.txt", "expires"): "2014-06-29T21:00:00Z",
    ("whois.za.org/za.org/status_registered.txt", "updated"): "2005-08-15T11:15:10Z",  # BST
    # .es writes dd/mm/yy ("16/09/03" is 16 Sep 2003; Ruby's Time.parse read yy/mm/dd).
    ("whois.nic.es/es/status_registered.txt", "created"): "2003-09-16",
    ("whois.nic.es/es/status_registered.txt", "expires"): "2014-09-16",
}

CHECKOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
ROOT = (sys.argv[1] if len(sys.argv) > 1 else
        os.path.join(CHECKOUT, "..", "shared", "data", "whois-samples", "weppos", "responses"))
ZONES = {"UTC": 0, "GMT": 0, "WAT": 60, "EAT": 180, "JST": 540, "PDT": -420}


def norm_time(raw):
    raw = raw.strip()
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d\d)", raw)  # Ruby's Time.parse: YY/MM/DD
    if m:
        return "20%s-%s-%s" % m.groups()
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)", raw)
    if m:
        return m.group(1)
    m = re.fullmatch(
        r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?\s*(Z|[A-Z]{3}|[+-]\d\d:?\d\d)?",
        raw)
    if not m:
        return None
    y, mo, d, h, mi, s, zone = m.groups()
    t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    offset = 0
    if zone and zone != "Z":
        if zone in ZONES:
            offset = ZONES[zone]
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * (int(digits[:2]) * 60 + int(digits[2:]))
    t -= datetime.timedelta(minutes=offset)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1].replace('\\"', '"')
    return None


def parse(path):
    sections = {}
    current = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                current = line[1:].strip()
                sections.setdefault(current, [])
            elif current and line.strip():
                sections[current].append(line.strip())
    return sections


def value_of(lines, lhs="%s"):
    for line in lines:
        m = re.match(re.escape(lhs) + r"\s*==\s*(.*)$", line)
        if m:
            return unquote(m.group(1))
    return None


def time_of(lines):
    for line in lines:
        m = re.match(r"%s\s+%TIME\{(.*)\}\s*$", line)
        if m:
            return norm_time(m.group(1))
    return None


def rows_for(path):
    sec = parse(path)
    out = []
    if "domain" in sec:
        v = value_of(sec["domain"])
        if v:
            out.append(("domain", v.lower()))
    if value_of_bool(sec.get("response_throttled?")):
        out.append(("kind", "refused"))
    elif value_of_bool(sec.get("available?")):
        out.append(("status", "not_found"))
    elif value_of_bool(sec.get("registered?")):
        out.append(("status", "registered"))
    if "registrar" in sec:
        v = value_of(sec["registrar"], "%s.name")
        if v:
            out.append(("registrar", v))
    for src, dst in (("created_on", "created"), ("updated_on", "updated"), ("expires_on", "expires")):
        if src in sec:
            v = time_of(sec[src])
            if v:
                out.append((dst, v))
    if "nameservers" in sec:
        names = []
        for line in sec["nameservers"]:
            m = re.match(r"%s\[(\d+)\]\.name\s*==\s*(.*)$", line)
            if m and unquote(m.group(2)):
                names.append(unquote(m.group(2)).lower().rstrip("."))
        if names:
            out.append(("nameservers", ",".join(names)))
    if "registrant_contacts" in sec:
        lines = sec["registrant_contacts"]
        v = value_of(lines, "%s[0].organization")
        if v:
            out.append(("registrant_org", v))
        v = value_of(lines, "%s[0].country_code") or value_of(lines, "%s[0].country")
        if v:
            v = re.sub(r"\s*\(.*\)$", "", v)  # "US (UNITED STATES)" -> "US"
            out.append(("registrant_country", v))
    return out


def value_of_bool(lines):
    if not lines:
        return False
    return any(re.match(r"%s\s*==\s*true\s*$", l) for l in lines)


def main():
    w = sys.stdout
    w.write("# generated by make_expected.py from weppos/responses/**/*.expected; do not edit\n")
    for dirpath, _, files in sorted(os.walk(ROOT)):
        for name in sorted(files):
            if not name.endswith(".expected"):
                continue
            exp = os.path.join(dirpath, name)
            txt = exp[: -len(".expected")] + ".txt"
            if not os.path.exists(txt):
                continue
            rel = os.path.relpath(txt, ROOT)
            server = rel.split(os.sep)[0]
            for field, value in rows_for(exp):
                value = OVERRIDES.get((rel, field), value)
                if value is None:
                    continue
                value = value.replace("\t", " ").replace("\n", "\\n")
                w.write("%s\t%s\t%s\t%s\n" % (rel, server, field, value))


if __name__ == "__main__":
    main()
