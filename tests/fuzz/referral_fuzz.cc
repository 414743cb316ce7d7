// libFuzzer harness for the referral extractor: runs fuzz::CheckReferral
// (tests/fuzz/referral_invariants.h) on each input and aborts when an invariant breaks, so
// libFuzzer keeps the input as a reproducer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/referral_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Violations violations;
  fuzz::CheckReferral(std::string_view(reinterpret_cast<const char*>(data), size), &violations);
  violations.AbortIfAny("referral_fuzz");
  return 0;
}
