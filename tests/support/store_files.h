// Looking at and damaging a record store's files from outside, for the fault tests: listings,
// snapshots, flipped bytes, and a small tmpfs to fill.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

// Every entry under `dir` (recursively, by relative path) with its size and a hash of its
// contents (0, 0 for a directory): equal snapshots mean nothing was changed.
using DirSnapshot = std::map<std::string, std::pair<uintmax_t, size_t>>;
DirSnapshot Snapshot(const std::string& dir);

// The files directly in `dir` whose names end in `ext` (".ldb", ".log").
std::vector<std::filesystem::path> FilesEndingIn(const std::string& dir, const std::string& ext);
// The largest of those, or an empty path.
std::filesystem::path LargestFile(const std::string& dir, const std::string& ext);

// Inverts `n` bytes of `file` starting at `offset`. False if the file cannot be opened.
bool FlipBytes(const std::filesystem::path& file, uintmax_t offset, size_t n);

// Writes incompressible bytes to `path` until the file system is full.
void FillDisk(const std::string& path);

// A tmpfs of a given size at a path (created if needed), unmounted by the destructor. Needs root
// (mount(2)); tests skip when Mount says why it could not.
class Tmpfs {
 public:
  explicit Tmpfs(std::string path);
  ~Tmpfs();
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  // An empty string, or why it could not be mounted.
  std::string Mount(const std::string& size);
  // `mount -o remount,size=...`: a full disk gets room again.
  bool Resize(const std::string& size);

 private:
  std::string path_;
  bool mounted_ = false;
};

}  // namespace test_support
