// libFuzzer harness for the storage value codec: runs fuzz::CheckRecordCodec
// (tests/fuzz/record_codec_invariants.h) on each input and aborts when an invariant breaks, so
// libFuzzer keeps the input as a reproducer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/record_codec_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Violations violations;
  fuzz::CheckRecordCodec(std::string_view(reinterpret_cast<const char*>(data), size), &violations);
  violations.AbortIfAny("record_codec_fuzz");
  return 0;
}
