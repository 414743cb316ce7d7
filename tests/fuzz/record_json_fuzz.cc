// libFuzzer harness for the record JSON schema: runs fuzz::CheckRecordJson
// (tests/fuzz/record_json_invariants.h) on each input and aborts when an invariant breaks, so
// libFuzzer keeps the input as a reproducer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/record_json_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Violations violations;
  fuzz::CheckRecordJson(std::string_view(reinterpret_cast<const char*>(data), size), &violations);
  violations.AbortIfAny("record_json_fuzz");
  return 0;
}
