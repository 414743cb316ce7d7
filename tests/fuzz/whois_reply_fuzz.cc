// libFuzzer harness for the WHOIS reply parser, classifier and date reader: runs
// fuzz::CheckWhoisReply (tests/fuzz/whois_reply_invariants.h) on each input and aborts when an
// invariant breaks, so libFuzzer keeps the input as a reproducer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/whois_reply_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Violations violations;
  fuzz::CheckWhoisReply(std::string_view(reinterpret_cast<const char*>(data), size), &violations);
  violations.AbortIfAny("whois_reply_fuzz");
  return 0;
}
