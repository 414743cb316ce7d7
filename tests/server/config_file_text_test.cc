// packaging/whois-proxy.conf is the generated configuration file, parses, and holds the
// defaults; every directive is documented.
#include "server/config_file_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "server/config.h"

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

TEST(ConfigFileText, CommittedFileIsTheGeneratedOne) {
  EXPECT_EQ(CommittedFile(), ConfigFileText())
      << "regenerate it: build/server/whois-proxy --print-config > packaging/whois-proxy.conf "
         "(or cmake --build build --target whois-proxy-conf)";
}

TEST(ConfigFileText, CommittedFileParsesToTheDefaults) {
  ConfigResult loaded = LoadConfig({WP_PACKAGED_CONFIG});
  ASSERT_TRUE(loaded.config) << loaded.error;
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
