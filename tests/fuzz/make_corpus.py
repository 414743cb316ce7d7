#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses.

    python3 tests/fuzz/make_corpus.py
        writes tests/fuzz/corpus/<harness>/ from the project's own fixtures and the lists below
        (committed; run it again after changing them, and commit the result);

    python3 tests/fuzz/make_corpus.py --shared SHARED --out DIR
        writes DIR/<harness>/ from the real replies beside the checkout (SHARED/data/whois-samples,
        SHARED being ../shared): scripts/fuzz.sh adds these at fuzz time when they are there. They
        are other projects' data and never copied into the repository.

Deterministic. The seeds stay small (each WHOIS reply is cut at MAX_REPLY_BYTES) because libFuzzer
grows its own working corpus from them in a temporary directory (scripts/fuzz.sh).
"""
import argparse
import json
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fuzz/corpus"
REPLIES = ROOT / "tests/whois_parser/replies"
DIRECTORY = ROOT / "tests/whois_directory/fixtures"
MAX_REPLY_BYTES = 8192
HOP = b"\0"  # hop separator of whois_reply_fuzz (tests/fuzz/whois_reply_invariants.h)


def reply_servers():
    """The parser's own replies and the server each copies (tests/whois_parser/replies/servers.tsv):
    the host picks the rule set."""
    rows = (REPLIES / "servers.tsv").read_text().splitlines()
    return [tuple(r.split("\t")[:2]) for r in rows if r and not r.startswith("#")]


# Refusals and not-found answers in the shapes servers send them (as in
# tests/whois_parser/reply_classifier_test.cc), as (server, text).
SHORT_REPLIES = [
    ("whois.denic.de", "% Error: 55000000002 Connection refused; access control limit reached."),
    ("whois.punktum.dk", "# Too many connections."),
    ("whois.dns.be", "% Maximum queries per hour reached (100)"),
    ("whois.eu", "-1: Still in grace period, wait 7 seconds"),
    ("whois.nic.uk", "Error for \"example.uk\".\nThe WHOIS query quota for 192.0.2.1 has been "
                     "exceeded\nand will be replenished in 50 seconds."),
    ("whois.godaddy.com", "Number of allowed queries exceeded."),
    ("whois.registro.br", "%  Query rate limit exceeded. Try again after 60 seconds."),
    ("whois.verisign-grs.com", "No match for \"NOTHING-HERE.COM\"."),
    ("whois.denic.de", "Domain: nothing-here.de\nStatus: free"),
    ("whois.nic.fr", "%% NOT FOUND"),
]

DATES = [
    "2024-01-31T12:00:00Z", "2024-01-31T12:00:00.0Z", "2024-01-31 12:00:00+02:00", "2024-01-31",
    "31-Jan-2024", "31.01.2024", "2024/01/31", "20240131", "January 31 2024",
    "Wed Jan 31 12:00:00 GMT 2024", "2024-01-31 12:00 (UTC+8)", "01/02/2024", "before Aug-1996",
    "N/A", "2024-02-29T23:59:59Z", "1999-12-31T23:59:59-05:00",
]

NAMES = [
    "example.com", "www.example.co.uk", "WWW.EXAMPLE.CO.UK.", "https://user:pw@www.example.com:8443/p?q#f",
    "//example.com/x", "example.com:8080/path", "bücher.de", "xn--bcher-kva.de", "例え.テスト",
    "example。com", "%65xample.com", "r3---sn-x.googlevideo.com", "foo.github.io", "a.b.c.example.zz",
    "com", "localhost", "192.0.2.1", "[2001:db8::1]", "-bad-.com", "пример.рф", "xn--p1ai",
    "a" * 64 + ".com", "http://", "ex ample.com",
]

REFERRAL_VALUES = [
    "whois.example.com", "WHOIS.Example.COM.", "whois.example.com:4343", "whois.example.com/path",
    "whois://whois.example.com:43/x", "rwhois://rwhois.example.net:4321/auth-area=10.0.0.0/8",
    "http://www.example.com/whois", "user@whois.example.com", "192.0.2.1", "localhost",
    "whois.example.com:0", "whois.example.com:65536", "refer: whois.verisign-grs.com",
    "   Registrar WHOIS Server: whois.markmonitor.com", "ReferralServer: whois://whois.apnic.net",
    "%referral rwhois://rwhois.example.net:4321/", "whois: whois.nic.de",
]

RECORDS = [
    {"domain": "example.com", "status": "registered"},
    {"domain": "xn--bcher-kva.de", "unicode": "bücher.de", "status": "registered",
     "created": "1997-01-01T00:00:00Z", "updated": "2024-01-31T12:00:00Z",
     "expires": "2030-01-01T00:00:00Z",
     "registrar": {"name": "Example Registrar", "iana_id": "1234", "url": "https://r.example",
                   "whois_server": "whois.r.example", "abuse_email": "abuse@r.example",
                   "abuse_phone": "+1.5555555"},
     "registrant": {"name": "A", "organization": "B", "street": "1 Road, Unit 2", "city": "C",
                    "state": "D", "postal_code": "12345", "country": "DE", "phone": "+49.1",
                    "email": "a@b.example"},
     "admin": {"email": "admin@b.example"}, "tech": {"street": ["1 Road", "Unit 2"]},
     "nameservers": ["NS1.Example.NET.", "ns2.example.net", "ns1.example.net"],
     "domain_status": ["clientTransferProhibited", ""], "dnssec": "unsigned",
     "redacted": ["registrant.email"], "country": "DE", "country_source": "registrant",
     "source": {"protocol": "whois", "servers": ["whois.denic.de"],
                "fetched_at": "2026-11-25T08:00:00Z"}},
    {"domain": "example.org", "status": "not_found", "extra": {"a": [1, 2]}, "dnssec": None},
    {"domain": "example.net", "status": "fallback", "reason": "rate_limited", "retry_after": 30,
     "country": "US", "country_source": "tld",
     "source": {"protocol": "rdap", "fetched_at": "2026-11-25T08:00:00Z"}},
    {"domain": "not a name", "status": "invalid", "reason": "label is empty"},
    {"domain": "a.com", "status": "fallback", "reason": "bored"},
    {"domain": "a.com", "status": "registered", "retry_after": 5},
    {"domain": "a.com", "status": "registered", "partial": True, "country": "US",
     "country_source": "registrant", "registrant": {"country": "US"}},
    {"domain": "a.com", "status": "not_found", "partial": True},
]


def write(harness, name, data):
    d = OUT / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def reply(server, text):
    return server.encode() + b"\n" + text[:MAX_REPLY_BYTES]


def whois_reply_corpus():
    for name, server in sorted(reply_servers()):
        write("whois_reply", pathlib.Path(name).stem, reply(server, (REPLIES / name).read_bytes()))
    # Short answers, four to a file (one hop each).
    for i in range(0, len(SHORT_REPLIES), 4):
        hops = [reply(server, text.encode() + b"\n") for server, text in SHORT_REPLIES[i:i + 4]]
        write("whois_reply", f"short_{i // 4}", HOP.join(hops))
    # A referral chain: IANA, the registry, then the registrar.
    write("whois_reply", "chain_iana_registry_registrar",
          HOP.join([reply("whois.iana.org", (DIRECTORY / "referrals/iana-refer.txt").read_bytes()),
                    reply("whois.verisign-grs.com",
                          (DIRECTORY / "referrals/verisign-registered.txt").read_bytes()),
                    reply("whois.registrar.example",
                          (REPLIES / "icann-redacted.txt").read_bytes())]))
    write("whois_reply", "dates", reply("whois.example", "".join(
        f"Creation Date: {d}\n" for d in DATES).encode()))
    for i, text in enumerate(LAYOUT_REPLIES):
        write("whois_reply", f"layout_{i:02d}", reply("whois.example", text.encode()))


# Short replies in the layouts the parser learned from replies it had not been tuned on
# (tests/whois_parser/reply_layouts_test.cc), written for the fuzzer to start from.
LAYOUT_REPLIES = [
    "domain.............: example.fi\n\nHolder\nname...............: Example Oy\n"
    "register number....: 1234567-8\ncountry............: Finland\n\nRegistrar\n"
    "registrar..........: Example Registrar Ltd\n",
    "domain: example.com.ua\n\n% Registrar:\n% ====\nregistrar: ua.example\n"
    "organization: Example Registrar LLC\ncountry: UA\n\n% Registrant:\nperson: Example Bank\n"
    "organization-loc: Example Bank JSC\nsource: UAEPP\n",
    "Domain: example.sk\n\nDomain registrant: EX-1\nOrganization: Example s.r.o\n"
    "Country Code: SK\n\nRegistrar: EXRG-0001\nName: Example Registrar s.r.o.\n",
    "domain: example.cz\nregistrant: EX1\nregistered: 21.07.2000 15:21:00\n\ncontact: EX1\n"
    "org: Example SCS\naddress: Luxembourg\naddress: LU\n",
    "Domain Name:  EXAMPLE.COM.HK\nRegistrant Contact Information:\nCompany English Name (It "
    "should be the same as the registered/corporation name): EXAMPLE CO\nCountry: Hong Kong (HK)\n",
    "Domain Name\texample.xx\nRegistrar\tExample Ltd\nName Server (DB):\tns1.example.xx\n",
    "Domain EXAMPLE.KG (ACTIVE)\n   Record expires on 2026-11-09 00:00:00 (UTC+8)\nRegistrar:\n"
    "     Example Inc. (http://www.example.net)\n     Registered on 30th April 2003 at 00:04:00\n",
    "Owner  : DNS Admin\nOwner  : Example Inc.\nOwner  : 1 Street\nOwner  : US\n",
    "domain: example.co.il\ndescr: Example Ltd.\ndescr: Israel\nremarks: not found here\n",
    "Domain:\nname: example.ee\n\nDNS servers\nName.....: ns1.example.ee.\n"
    "nameservers: dns1.example.pl. [192.0.2.1][2001:db8::1]\n   dns2.example.pl. [2001:db8::2]\n",
    "Dominio: example.com.bo\nTITULAR:\nOrganizaci\u00f3n: Example S.A.\n"
    "Fecha de registro: 2004-10-01\nDomain name: x.fj\tStatus: Active\n",
    "Domain Name: example.com\nRegistrant Organization: WhoisGuard, Inc.\n"
    "Registrant Country: PA\nRegistrant Name: Ano Nymous\n",
]


def referral_corpus():
    for sub in ("referrals", "iana"):
        for path in sorted((DIRECTORY / sub).iterdir()):
            write("referral", f"{sub}_{path.name}", path.read_bytes()[:MAX_REPLY_BYTES])
    for i, value in enumerate(REFERRAL_VALUES):
        write("referral", f"value_{i:02d}", value + "\n")


# Seeds taken from ../shared per harness: libFuzzer first runs every seed, and a 10 s run
# (CI's) must have time left to fuzz: whois_reply_fuzz runs some 50 inputs a second on a loaded
# machine, and the project's own seeds come first.
MAX_SHARED_REPLY_SEEDS = 60


def shared_corpora(shared):
    """Seeds from the real replies beside the checkout: replies of the corpora laid out by server
    (<server>/<tld>/<case> under weppos/responses and thomsentrampedach/responses), with their
    server, spread evenly over them, for whois_reply; weppos' referral samples and some of
    IANA's TLD answers for referral."""
    samples = shared / "data/whois-samples"
    replies = []
    for corpus in ("weppos/responses", "thomsentrampedach/responses"):
        base = samples / corpus
        if base.is_dir():
            replies += [(corpus, base, path) for path in sorted(base.rglob("*.txt"))]
    stride = max(1, -(-len(replies) // MAX_SHARED_REPLY_SEEDS))  # ceiling division
    for corpus, base, path in replies[::stride]:
        rel = path.relative_to(base)
        name = "_".join((corpus.split("/")[0],) + rel.with_suffix("").parts)
        write("whois_reply", name, reply(rel.parts[0], path.read_bytes()))
    referrals = samples / "weppos/referrals"
    if referrals.is_dir():
        for path in sorted(referrals.iterdir()):
            write("referral", f"weppos_{path.name}", path.read_bytes()[:MAX_REPLY_BYTES])
    iana = shared / "data/iana-tld-whois"
    if iana.is_dir():
        for path in sorted(iana.iterdir())[::40]:  # a few dozen of the 1,445 answers
            write("referral", f"iana_{path.name}", path.read_bytes()[:MAX_REPLY_BYTES])


def domain_name_corpus():
    for i, name in enumerate(NAMES):
        write("domain_name", f"name_{i:02d}", name)


def record_json_corpus():
    for i, record in enumerate(RECORDS):
        write("record_json", f"record_{i:02d}.json", json.dumps(record, ensure_ascii=False))
    write("record_json", "deep.json", "[" * 20 + "]" * 20)
    write("record_json", "not_object.json", '"x"')


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def record_codec_corpus():
    # Layouts of storage/record_codec.cc, version 1.
    head = struct.pack("<BBBqq", 1, 1, 1, 1700000000123, -5)
    write("record_codec", "head_registered", head + b'{"domain":"example.com","status":"registered"}')
    write("record_codec", "head_fallback", struct.pack("<BBBqq", 1, 3, 0, 0, 0) + b"{}")
    write("record_codec", "head_bad_version", struct.pack("<BBBqq", 2, 1, 0, 0, 0))
    chain = bytes([1]) + varint(2)
    for server, query, text, at in [(b"whois.iana.org", b"example.com",
                                     b"refer: whois.verisign-grs.com\n", 1),
                                    (b"whois.verisign-grs.com", b"example.com", b"bin\0ary\xff", 2)]:
        for s in (server, query, text):
            chain += varint(len(s)) + s
        chain += struct.pack("<q", at)
    write("record_codec", "chain_two_hops", chain)
    write("record_codec", "chain_empty", bytes([1, 0]))
    write("record_codec", "chain_huge_count", bytes([1]) + varint(1 << 40))
    write("record_codec", "counter", struct.pack("<Q", 42))


# Requests as clients send them, from redis-cli and client libraries to redis-server's protocol
# test cases. resp_fuzz reads its parameters (limits, chunk sizes) from the input's last bytes
# (FuzzedDataProvider), so each seed ends with PARAMS: authenticated, default bulk limit, no
# chunks.
RESP_REQUESTS = [
    b"*2\r\n$3\r\nGET\r\n$11\r\nexample.com\r\n",
    b"*3\r\n$3\r\nSET\r\n$5\r\na.com\r\n$2\r\n{}\r\n*1\r\n$4\r\nPING\r\n",
    b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
    b"PING\r\nGET example.com\n\r\n\nECHO \"a b\\x41\\n\" 'c d'\r\n",
    b"SET k \"unbalanced\r\n",
    b"*0\r\n*-1\r\n*1\r\n$-1\r\n",
    b"*3000000000\r\n",
    b"*1\r\n+OK\r\n",
    b"*1\r\n$abc\r\n",
    b"*20\r\n" + b"$1\r\nx\r\n" * 20,
    b"*1\r\n$20000\r\n" + b"y" * 64,
    b"\x00\xff garbage " * 8 + b"\r\n",
]
RESP_PARAMS = bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1])


def resp_corpus():
    for i, request in enumerate(RESP_REQUESTS):
        write("resp", f"request_{i:02d}", request + RESP_PARAMS)


def main():
    global OUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=pathlib.Path,
                        help="the folder beside the checkout that holds data/ (../shared)")
    parser.add_argument("--out", type=pathlib.Path, help="where to write (with --shared)")
    args = parser.parse_args()
    if args.shared:
        if not args.out:
            parser.error("--shared needs --out")
        OUT = args.out
        shared_corpora(args.shared)
        return
    shutil.rmtree(OUT, ignore_errors=True)
    whois_reply_corpus()
    referral_corpus()
    domain_name_corpus()
    record_json_corpus()
    record_codec_corpus()
    resp_corpus()


if __name__ == "__main__":
    main()
