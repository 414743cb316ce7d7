// What the WHOIS port (RFC 3912) answers, as text: pure functions from a record and its stored
// chain of upstream replies to the reply bytes, and from the query line to the name asked.
// Every line ends in CRLF; nothing a client or an upstream sent can add a line of its own to a
// one-line answer (CR and LF in names and messages are replaced).
//
//   registered / not_found with raw text: each hop's text as the upstream sent it (registry
//     first, then registrar), then the footer:
//       % ----
//       % whois-proxy: fetched 2026-11-25T08:00:00Z from whois.nic.test, whois.registrar.test
//   a record without raw text (imported with SET, or from the fleet): the JSON's fields as
//     "Key: value" lines in the usual WHOIS style, then the footer;
//   invalid name, fallback (no fresh answer) or a refusal: one line, "% ...".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record.h"
#include "whois/record/record.h"

namespace server {

// The name a query line asks about: the line without its CR/LF and surrounding blanks.
std::string WhoisQueryName(std::string_view line);

// One "% ..." line (CR/LF in `text` become spaces).
std::string WhoisCommentLine(std::string_view text);

// The reply for a record GET answered (`stale`: it was served stale; `partial`: the registry's
// part only). `chain` is the stored chain of raw replies (empty when there is none).
std::string WhoisRecordReply(const whois::WhoisRecord& record,
                             const std::vector<storage::RawReply>& chain, bool stale);

// The record's fields as "Key: value" lines (Domain Name, Registrar, Name Server, ...).
std::string RenderRecordFields(const whois::WhoisRecord& record);

// The one line answering a record that is not data: invalid or fallback. Empty for others.
std::string WhoisNoDataLine(const whois::WhoisRecord& record);

}  // namespace server
