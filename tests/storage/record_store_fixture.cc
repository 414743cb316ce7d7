#include "tests/storage/record_store_fixture.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace storage {

namespace {
constexpr const char* kWriterDir = "WP_STORE_WRITER_DIR";
constexpr const char* kWriterBuffer = "WP_STORE_WRITER_BUFFER";
constexpr const char* kWriterPadding = "WP_STORE_WRITER_PADDING";
constexpr int kAckFd = 3;
}  // namespace

// A fresh process rather than a fork of this one: LevelDB's compaction thread, started by an
// earlier test, would be missing in a forked child, and its writes would wait for it forever.
pid_t StartWriterChild(const std::string& dir, size_t write_buffer_bytes, size_t padding,
                       int* ack_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  std::vector<std::string> env = {
      std::string(kWriterDir) + "=" + dir,
      std::string(kWriterBuffer) + "=" + std::to_string(write_buffer_bytes),
      std::string(kWriterPadding) + "=" + std::to_string(padding)};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string filter = "--gtest_filter=RecordStoreWriterChild.WritesUntilKilled";
  char name[] = "storage_test";
  char* argv[] = {name, filter.data(), nullptr};
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    close(fds[0]);  // first: it may be kAckFd
    if (fds[1] != kAckFd) {
      dup2(fds[1], kAckFd);
      close(fds[1]);
    }
    execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  close(fds[1]);
  *ack_fd = fds[0];
  return pid;
}

int ReadAcks(int fd, int count) {
  std::string acked;
  char buf[4096];
  while (std::count(acked.begin(), acked.end(), '\n') < count) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    acked.append(buf, static_cast<size_t>(n));
  }
  size_t last_newline = acked.rfind('\n');
  if (last_newline == std::string::npos) return -1;
  size_t line_start = last_newline == 0 ? std::string::npos : acked.rfind('\n', last_newline - 1);
  return std::atoi(acked.c_str() + (line_start == std::string::npos ? 0 : line_start + 1));
}

namespace {

// The writer StartWriterChild starts; skipped when run any other way.
TEST(RecordStoreWriterChild, WritesUntilKilled) {
  const char* dir = std::getenv(kWriterDir);
  if (dir == nullptr) GTEST_SKIP() << "runs only as the child of a crash test";
  TestLoop loop;
  StoreOptions o;
  o.dir = dir;
  o.write_buffer_bytes = std::strtoull(std::getenv(kWriterBuffer), nullptr, 10);
  size_t padding = std::strtoull(std::getenv(kWriterPadding), nullptr, 10);
  std::unique_ptr<RecordStore> store;
  if (!RecordStore::Open(o, loop.post(), &store).ok()) _exit(2);
  for (int i = 0;; ++i) {
    std::string d = "k" + std::to_string(i) + ".com";
    Record r = MakeRecord(d);
    r.json.append(padding, 'x');
    bool done = false;
    store->Put(d, r, [&](Status st) {
      if (!st.ok()) _exit(3);
      done = true;
    });
    loop.RunUntil([&] { return done; });
    std::string line = std::to_string(i) + "\n";
    if (write(kAckFd, line.data(), line.size()) < 0) _exit(4);
  }
}

}  // namespace
}  // namespace storage
