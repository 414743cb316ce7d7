// The one name table of an enum whose enumerators are 0, 1, 2, ... in declaration order (issue
// 15, item 3): names are written once, in the enum's order, and a table with a name too many or
// too few does not compile. Replaces a switch per enum that spelled the same table as code.
#ifndef WP_UTIL_ENUM_NAMES_H_
#define WP_UTIL_ENUM_NAMES_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace util {

// `kLast` is the enum's last enumerator: the table holds static_cast<size_t>(kLast) + 1 names.
// Built at compile time:
//   constexpr util::EnumNames<Color::kBlue> kColorNames({"red", "green", "blue"}, "unknown");
// Thread-safe (immutable).
template <auto kLast>
class EnumNames {
 public:
  using Enum = decltype(kLast);
  static constexpr size_t kSize = static_cast<size_t>(kLast) + 1;

  // `names[i]` spells the enumerator of value i; `unknown` is answered for a value outside the
  // table (only a cast can make one).
  template <size_t N>
  consteval EnumNames(const std::string_view (&names)[N], std::string_view unknown)
      : unknown_(unknown) {
    static_assert(N == kSize, "one name per enumerator, in the enum's order");
    for (size_t i = 0; i < N; ++i) names_[i] = names[i];
  }

  constexpr std::string_view Name(Enum value) const {
    const auto i = static_cast<size_t>(value);
    return i < kSize ? names_[i] : unknown_;
  }

  // The enumerator `name` spells (case-sensitive); std::nullopt for any other text, `unknown`
  // included.
  constexpr std::optional<Enum> FromName(std::string_view name) const {
    for (size_t i = 0; i < kSize; ++i) {
      if (names_[i] == name) return static_cast<Enum>(i);
    }
    return std::nullopt;
  }

 private:
  std::array<std::string_view, kSize> names_{};
  std::string_view unknown_;
};

}  // namespace util

#endif  // WP_UTIL_ENUM_NAMES_H_
