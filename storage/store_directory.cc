#include "storage/store_directory.h"

#include <sys/statvfs.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace storage {
namespace {

// The number in "000123.log" if `name` is "<digits><suffix>".
std::optional<uint64_t> NumberedFile(std::string_view name, std::string_view suffix) {
  if (name.size() <= suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  std::string_view digits = name.substr(0, name.size() - suffix.size());
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return n;
}

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string DirectoryContents::Describe() const {
  std::string out;
  auto add = [&](int n, const char* one, const char* many) {
    if (n == 0) return;
    if (!out.empty()) out += ", ";
    out += Plural(n, one, many);
  };
  add(table_files, "table file", "table files");
  add(log_files, "write-ahead log", "write-ahead logs");
  add(manifest_files, "manifest", "manifests");
  add(other, "other entry", "other entries");
  if (out.empty()) out = "nothing";
  char size[48];
  std::snprintf(size, sizeof size, " (%.1f MB)", static_cast<double>(bytes) / 1e6);
  return out + size;
}

Status InspectDirectory(const std::string& dir, DirectoryContents* out) {
  namespace fs = std::filesystem;
  *out = DirectoryContents();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (ec) return Status::IOError("cannot look at " + dir + ": " + ec.message());
    return Status::OK();
  }
  if (!fs::is_directory(dir, ec)) return Status::IOError(dir + " is not a directory");
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  bool current = false;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
    std::string name = it->path().filename().string();
    std::error_code size_ec;
    uint64_t size = it->is_regular_file(size_ec) ? it->file_size(size_ec) : 0;
    if (size_ec) size = 0;
    out->bytes += size;
    if (name == "CURRENT") {
      current = true;
    } else if (name == "LOCK" || name == "LOG" || name == "LOG.old" || name == "lost+found") {
      // What LevelDB leaves when creating a database failed half-way, and a file system's root.
    } else if (NumberedFile(name, ".ldb") || NumberedFile(name, ".sst")) {
      ++out->table_files;
    } else if (auto n = NumberedFile(name, ".log")) {
      ++out->log_files;
      out->log_bytes += size;
      if (*n > out->newest_log) out->newest_log = *n;
    } else if (name.starts_with("MANIFEST-")) {
      ++out->manifest_files;
    } else {
      ++out->other;
    }
  }
  using Kind = DirectoryContents::Kind;
  if (current)
    out->kind = Kind::kDatabase;
  else if (out->HasLevelDbFiles() || out->other > 0)
    out->kind = Kind::kNotADatabase;
  else
    out->kind = Kind::kEmpty;
  return Status::OK();
}

std::optional<uint64_t> FreeBytes(const std::string& dir) {
  struct statvfs s {};
  if (statvfs(dir.c_str(), &s) != 0) return std::nullopt;
  return static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
}

}  // namespace storage
