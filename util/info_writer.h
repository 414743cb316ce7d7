// The lines of an INFO section as Redis writes them, "name:value\r\n", written in one place for
// every layer that reports figures to INFO (server/ and storage/fleet/).
#ifndef WP_UTIL_INFO_WRITER_H_
#define WP_UTIL_INFO_WRITER_H_

#include <concepts>
#include <string>
#include <string_view>

namespace util {

// Appends fields to a caller-owned string, which must outlive the writer. `value` is text or an
// integer (written in decimal); neither is checked: names and values must hold no ':' or line
// break that a client would misread.
class InfoWriter {
 public:
  explicit InfoWriter(std::string* out) : out_(out) {}

  void Field(std::string_view name, std::string_view value) {
    out_->append(name);
    out_->push_back(':');
    out_->append(value);
    out_->append("\r\n");
  }
  template <std::integral T>
  void Field(std::string_view name, T value) {
    Field(name, std::string_view(std::to_string(value)));
  }

 private:
  std::string* out_;
};

}  // namespace util

#endif  // WP_UTIL_INFO_WRITER_H_
