// A fresh temporary directory for one test, removed with everything in it by the destructor.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace test_support {

class TempDir {
 public:
  // Creates <temp dir>/<prefix>XXXXXX; throws if it cannot (a test cannot go on without it).
  explicit TempDir(std::string_view prefix = "wp-test-") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + tmpl);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to the file `name` here (replacing it) and returns the file's path; throws if
  // it cannot.
  std::string WriteFile(const std::string& name, std::string_view text) const {
    std::string path = Sub(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
    return path;
  }

 private:
  std::string path_;
};

}  // namespace test_support
