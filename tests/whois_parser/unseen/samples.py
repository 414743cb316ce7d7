#!/usr/bin/env python3
"""Lists the replies of the unseen corpus: every WHOIS reply under whois-samples/ except weppos/.

Usage: python3 samples.py WHOIS_SAMPLES_DIR     (prints TSV: sample, servers, status_from_source)

sample  path under whois-samples/ (the test reads it from there at run time)
servers the server(s) that sent it, in chain order, separated by ">" (only joepie91/ files hold
        a chain: registrar reply, a "--" line, then the registry reply; see unseen_accuracy_test.cc)
status  what the source's own file layout says: registered, not_found, refused, or "" when it
        says nothing (the hand-written expectations then say it).

Where a source does not name the server (files filed by TLD), the server is the one the proxy
would ask: the bundled directory's host for the TLD (whois/directory/data/tld_servers.tsv).
Left out, with the reason:
  - whois.iana.org replies (TLD queries, not domain replies), io-developer asn/ (AS queries),
    thomsentrampedach RIR replies (whois.ripe.net, whois.apnic.net, whois.arin.net: IP queries);
  - io-developer encoding.*.in.txt (charset samples: decoding is the upstream client's job, not
    the parser's);
  - io-developer nz/free_*.txt and other replies whose source gives no status and no JSON are
    kept (hand-written expectations cover them).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIRECTORY = os.path.join(HERE, "..", "..", "..", "whois", "directory", "data", "tld_servers.tsv")

FLIPBIT_STATUS = {
    "found": "registered",
    "expired": "registered",
    "suspended": "registered",
    "locked": "registered",
    "pending-delete": "registered",
    "redemption": "registered",
    "inactive": "registered",
    "not-found": "not_found",
    "throttled": "refused",
}


def directory():
    hosts = {}
    with open(DIRECTORY, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[1]:
                hosts[cols[0]] = cols[1]
    return hosts


def registry_for(name, hosts):
    # A TLD without a port-43 server in the directory (io-developer's .bz, .cm, .kw, ...: its own
    # configuration named one) gets the conventional whois.nic.<tld>.
    tld = name.rstrip(".").split(".")[-1].lower()
    return hosts.get(tld, "whois.nic." + tld)


def referred_server(lines, domain=""):
    """The "Registrar WHOIS Server:" / "Whois Server:" a registry reply names; with `domain`,
    the one of that domain's record (Verisign's thin replies list every name that matches)."""
    current = ""
    for line in lines:
        key, _, value = line.strip().partition(":")
        key, value = key.lower(), value.strip().lower()
        if key == "domain name":
            current = value
        if key in ("registrar whois server", "whois server", "registrar whois") and value:
            if not domain or current == domain:
                return value
    return ""


def chain_blocks(path):
    """joepie91/data/<domain>: the replies of a lookup, latest hop first, separated by "--"
    lines; empty blocks dropped. Returned in chain order (registry first)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    blocks, current = [], []
    for line in text.split("\n"):
        if line == "--":
            blocks.append(current)
            current = []
        else:
            current.append(line)
    blocks.append(current)
    return [b for b in reversed(blocks) if any(l.strip() for l in b)]


def files(root, source):
    base = os.path.join(root, source)
    for dirpath, _, names in os.walk(base):
        for n in names:
            if n in ("LICENSE", "README.md", "sources.tsv") or n.endswith(".json"):
                continue
            yield os.path.relpath(os.path.join(dirpath, n), root)


def samples(root):
    hosts = directory()
    out = []
    for rel in sorted(files(root, "flipbit")):
        p = rel.split("/")
        out.append((rel, p[1], FLIPBIT_STATUS.get(p[3], "")))
    for rel in sorted(files(root, "structly")):
        out.append((rel, rel.split("/")[1], ""))
    for rel in sorted(files(root, "thomsentrampedach")):
        p = rel.split("/")
        if p[2] in ("whois.ripe.net", "whois.apnic.net", "whois.arin.net"):
            continue  # IP address queries
        case = p[-1]
        status = ("registered" if case.startswith("status_registered") else
                  "not_found" if case.startswith("status_available") else "")
        out.append((rel, p[2].lower(), status))
    for rel in sorted(files(root, "whoisdomain")):
        p = rel.split("/")
        if p[1] == "whois.iana.org":
            continue
        server = p[1] if "." in p[1] else registry_for(p[2][:-4], hosts)
        out.append((rel, server, ""))
    for rel in sorted(files(root, "domainr-whoistest")):
        p = rel.split("/")
        if p[1] == "whois.iana.org":
            continue
        out.append((rel, p[1], ""))
    for rel in sorted(files(root, "asyncwhois")):
        p = rel.split("/")
        out.append((rel, registry_for(p[1], hosts), ""))
    for rel in sorted(files(root, "io-developer")):
        p = rel.split("/")
        if p[1] == "asn" or "encoding." in p[2]:
            continue
        name = p[2][:-4]
        if name.endswith("_registrar_whois"):
            # The registrar's answer; its server is the one the registry's reply refers to.
            registry = os.path.join(root, rel.replace("_registrar_whois", ""))
            registry = registry if os.path.exists(registry) else os.path.join(root, rel)
            with open(registry, encoding="utf-8", errors="replace") as f:
                out.append((rel, referred_server(f), ""))
            continue
        status = "not_found" if name.startswith("free") else ""
        out.append((rel, registry_for(p[1], hosts), status))
    for rel in sorted(files(root, "python-whois/whois")):
        out.append((rel, registry_for(rel.split("/")[-1], hosts), ""))
    for rel in sorted(files(root, "joepie91/data")):
        domain = rel.split("/")[-1]
        servers = [registry_for(domain, hosts)]
        blocks = chain_blocks(os.path.join(root, rel))
        for block in blocks[:-1]:
            servers.append(referred_server(block, domain) or "registrar." + domain)
        out.append((rel, ">".join(servers), ""))
    return out


if __name__ == "__main__":
    for row in samples(sys.argv[1]):
        print("\t".join(row))
