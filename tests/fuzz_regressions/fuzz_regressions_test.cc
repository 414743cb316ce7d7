// Every input the fuzzers are seeded with or have found, checked in the normal test suite.
//
// For each harness <name>_fuzz (tests/fuzz/), the inputs in
//   tests/fuzz/corpus/<name>/                 the seed corpus (make_corpus.py writes it)
//   tests/fuzz_regressions/inputs/<name>/     reproducers scripts/fuzz.sh found
// go through the same invariant check the harness runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/domain_name_invariants.h"
#include "tests/fuzz/record_codec_invariants.h"
#include "tests/fuzz/record_json_invariants.h"
#include "tests/fuzz/referral_invariants.h"
#include "tests/fuzz/violations.h"
#include "tests/fuzz/whois_reply_invariants.h"

namespace {

namespace fs = std::filesystem;

struct Harness {
  const char* name;  // the harness is <name>_fuzz; its inputs live in directories named <name>
  void (*check)(std::string_view input, fuzz::Violations* v);
};

// Names the harness in gtest's messages (instead of a byte dump).
void PrintTo(const Harness& h, std::ostream* os) { *os << h.name; }

const Harness kHarnesses[] = {
    {"whois_reply", fuzz::CheckWhoisReply},   {"referral", fuzz::CheckReferral},
    {"domain_name", fuzz::CheckDomainName},   {"record_json", fuzz::CheckRecordJson},
    {"record_codec", fuzz::CheckRecordCodec},
};

// Regular files directly in `dir`, sorted; none when it does not exist.
std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Runs `h` over every file in `dir`; returns how many there were.
size_t ExpectInvariants(const Harness& h, const fs::path& dir) {
  const std::vector<fs::path> files = FilesIn(dir);
  for (const fs::path& file : files) {
    fuzz::Violations v;
    h.check(ReadFile(file), &v);
    EXPECT_TRUE(v.empty()) << file.string() << ":\n" << v.ToString();
  }
  return files.size();
}

class FuzzInputTest : public ::testing::TestWithParam<Harness> {};

TEST_P(FuzzInputTest, SeedCorpusKeepsInvariants) {
  const fs::path dir = fs::path(WP_FUZZ_CORPUS_DIR) / GetParam().name;
  EXPECT_GT(ExpectInvariants(GetParam(), dir), 0u) << "no seed corpus in " << dir;
}

TEST_P(FuzzInputTest, SavedReproducersKeepInvariants) {
  ExpectInvariants(GetParam(), fs::path(WP_FUZZ_REGRESSION_DIR) / GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Harnesses, FuzzInputTest, ::testing::ValuesIn(kHarnesses),
                         [](const ::testing::TestParamInfo<Harness>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
