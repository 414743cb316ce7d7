#include "storage/fleet/redirect.h"

#include <charconv>
#include <string>

#include "storage/fleet/key_slot.h"

namespace storage::fleet {

std::optional<Redirect> ParseRedirect(std::string_view error, std::string_view default_host) {
  Redirect out;
  if (error.starts_with("MOVED ")) {
    out.kind = Redirect::Kind::kMoved;
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    out.kind = Redirect::Kind::kAsk;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  size_t space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view slot_text = error.substr(0, space);
  auto [end, ec] = std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), out.slot);
  if (ec != std::errc() || end != slot_text.data() + slot_text.size() || out.slot < 0 ||
      out.slot >= kClusterSlots)
    return std::nullopt;
  std::string_view where = error.substr(space + 1);
  std::string spelled =
      where.starts_with(':') ? std::string(default_host) + std::string(where) : std::string(where);
  auto node = ParseNodeAddress(spelled);
  if (!node) return std::nullopt;
  out.node = std::move(*node);
  return out;
}

}  // namespace storage::fleet
