#include "whois/resolver/lookup_order.h"

#include <algorithm>
#include <iterator>

#include "whois/record/record.h"
#include "whois/resolver/lookup_source.h"

namespace whois {

namespace {

constexpr LookupOrderRow kOrders[] = {
    {"rdap-first", {kProtocolRdap, kProtocolWhois}, 2},
    {"whois-first", {kProtocolWhois, kProtocolRdap}, 2},
    {"rdap-only", {kProtocolRdap, {}}, 1},
    {"whois-only", {kProtocolWhois, {}}, 1},
};

}  // namespace

bool LookupOrderRow::Uses(std::string_view protocol) const {
  auto list = protocols();
  return std::find(list.begin(), list.end(), protocol) != list.end();
}

std::span<const LookupOrderRow> LookupOrders() { return kOrders; }

const LookupOrderRow* FindLookupOrder(std::string_view name) {
  for (const LookupOrderRow& row : kOrders)
    if (row.name == name) return &row;
  return nullptr;
}

std::string LookupOrderNames(std::string_view last_separator) {
  std::string out;
  for (const LookupOrderRow& row : kOrders) {
    if (!out.empty()) out += &row == &kOrders[std::size(kOrders) - 1] ? last_separator : ", ";
    out += row.name;
  }
  return out;
}

std::vector<LookupSource*> SourcesInOrder(const LookupOrderRow& row,
                                          std::span<LookupSource* const> available) {
  std::vector<LookupSource*> out;
  for (std::string_view protocol : row.protocols())
    for (LookupSource* source : available)
      if (source->protocol() == protocol) {
        out.push_back(source);
        break;
      }
  return out;
}

}  // namespace whois
