// Violations: the invariants one fuzz input broke, collected as messages.
//
// The invariant checks in tests/fuzz/*_invariants.cc are shared by the libFuzzer harnesses (which
// abort on the first input that breaks one, so libFuzzer saves it) and by the GoogleTest target
// in tests/fuzz_regressions/ (which replays the seed corpora and every saved reproducer through
// the same checks in the normal test suite).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

class Violations {
 public:
  void Add(std::string message) { list_.push_back(std::move(message)); }
  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }

  // One violation per line.
  std::string ToString() const {
    std::string out;
    for (const std::string& m : list_) out += m + "\n";
    return out;
  }

  // For harnesses: prints every violation and aborts, so libFuzzer reports a crash and keeps the
  // input.
  void AbortIfAny(const char* harness) const {
    if (list_.empty()) return;
    std::fprintf(stderr, "%s: invariant violated:\n%s", harness, ToString().c_str());
    std::abort();
  }

 private:
  std::vector<std::string> list_;
};

// Runs `check()`: an exception escaping it is a violation too, as nothing a fuzzer reaches may
// throw (the proxy would lose the connection, or the process).
template <typename Check>
void ExpectNoException(Violations* v, Check check) {
  try {
    check();
  } catch (const std::exception& e) {
    v->Add(std::string("exception: ") + e.what());
  } catch (...) {
    v->Add("exception of unknown type");
  }
}

// "violations.cc:42" from __FILE__ and __LINE__.
inline std::string Where(std::string_view file, int line) {
  const size_t slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return std::string(file) + ":" + std::to_string(line);
}

// `text` made safe for a message: bytes outside printable ASCII as \xNN, cut at 160 bytes.
inline std::string Shown(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (char c : text.substr(0, 160)) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  out += text.size() > 160 ? "'..." : "'";
  return out;
}

}  // namespace fuzz

// Records a violation (file:line, the condition, and `detail`) when `cond` is false.
#define FUZZ_EXPECT(violations, cond, detail)                                            \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      (violations)->Add(fuzz::Where(__FILE__, __LINE__) + ": " #cond " -- " + (detail)); \
    }                                                                                    \
  } while (0)
