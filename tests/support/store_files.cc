#include "store_files.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

namespace test_support {

namespace fs = std::filesystem;

DirSnapshot Snapshot(const std::string& dir) {
  DirSnapshot out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string rel = fs::relative(e.path(), dir).string();
    if (!e.is_regular_file()) {
      out[rel] = {0, 0};
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[rel] = {e.file_size(), std::hash<std::string>()(ss.str())};
  }
  return out;
}

std::vector<fs::path> FilesEndingIn(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

fs::path LargestFile(const std::string& dir, const std::string& ext) {
  fs::path best;
  uintmax_t best_size = 0;
  for (const auto& f : FilesEndingIn(dir, ext)) {
    uintmax_t size = fs::file_size(f);
    if (best.empty() || size > best_size) {
      best = f;
      best_size = size;
    }
  }
  return best;
}

bool FlipBytes(const fs::path& file, uintmax_t offset, size_t n) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) return false;
  std::string bytes(n, '\0');
  f.seekg(static_cast<std::streamoff>(offset));
  f.read(bytes.data(), static_cast<std::streamsize>(n));
  for (char& c : bytes) c = static_cast<char>(~c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(n));
  return static_cast<bool>(f);
}

void FillDisk(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  std::mt19937_64 rng(1);
  std::string block(64 << 10, '\0');
  for (char& c : block) c = static_cast<char>(rng());
  while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
  }
  // The last block may not have fitted whole: fill what is left a byte at a time.
  out.clear();
  for (int i = 0; i < (64 << 10) && out.put('x'); ++i) out.flush();
}

Tmpfs::Tmpfs(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  fs::create_directories(path_, ec);
}

Tmpfs::~Tmpfs() {
  if (mounted_) umount2(path_.c_str(), MNT_DETACH);
}

std::string Tmpfs::Mount(const std::string& size) {
  if (geteuid() != 0) return "mounting a tmpfs needs root";
  if (mount("tmpfs", path_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0)
    return std::string("mount(2) of a tmpfs is not permitted here: ") + std::strerror(errno);
  mounted_ = true;
  return {};
}

bool Tmpfs::Resize(const std::string& size) {
  return mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
}

}  // namespace test_support
