// packaging/whois-proxy.conf is the generated configuration file, parses, and holds the
// defaults; every directive is documented.
#include "server/config_file_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "server/config.h"
#include "whois/resolver/lookup_order.h"

namespace server {
namespace {

std::string CommittedFile() {
  std::ifstream in(WP_PACKAGED_CONFIG);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConfigFileText, EveryDirectiveIsDocumented) {
  ForEachDirectiveValue(Config{}, [](std::string_view name, std::string) {
    EXPECT_NE(FindDirectiveDoc(name), nullptr) << name << " has no line in config_file_text.cc";
  });
  EXPECT_EQ(ConfigFileText().find("(undocumented)"), std::string::npos);
}

// lookup-order's comment comes from the order table, so it names every order the server takes.
TEST(ConfigFileText, LookupOrderCommentNamesEveryOrder) {
  const DirectiveDoc* doc = FindDirectiveDoc("lookup-order");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->Help(), "rdap-first, whois-first, rdap-only or whois-only.");
  for (const whois::LookupOrderRow& row : whois::LookupOrders())
    EXPECT_NE(doc->Help().find(row.name), std::string::npos) << row.name;
}

TEST(ConfigFileText, CommittedFileIsTheGeneratedOne) {
  EXPECT_EQ(CommittedFile(), ConfigFileText())
      << "regenerate it: build/server/whois-proxy --print-config > packaging/whois-proxy.conf "
         "(or cmake --build build --target whois-proxy-conf)";
}

TEST(ConfigFileText, CommittedFileParsesToTheDefaults) {
  ConfigResult loaded = LoadConfig({WP_PACKAGED_CONFIG});
  ASSERT_TRUE(loaded.config) << loaded.ErrorText();
  std::vector<std::pair<std::string, std::string>> from_file, defaults;
  ForEachDirectiveValue(*loaded.config, [&](std::string_view n, std::string v) {
    from_file.emplace_back(n, std::move(v));
  });
  ForEachDirectiveValue(
      Config{}, [&](std::string_view n, std::string v) { defaults.emplace_back(n, std::move(v)); });
  EXPECT_EQ(from_file, defaults);
  // Every directive appears, set or (when repeatable) as a commented example.
  std::string text = CommittedFile();
  for (const auto& [name, value] : defaults)
    EXPECT_TRUE(text.find("\n" + name + " ") != std::string::npos ||
                text.find("\n# " + name + " ") != std::string::npos)
        << name;
}

}  // namespace
}  // namespace server
