#include "storage/pread_env.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace storage {
namespace {

// The NoDiskWaits mode of this thread: a thread's own, so no lock, and nothing shared.
struct NoWaitState {
  bool active = false;
  bool would_wait = false;
};
thread_local NoWaitState t_no_wait;

leveldb::Status WouldWait(const std::string& name, const char* what) {
  t_no_wait.would_wait = true;
  return leveldb::Status::IOError(name, what);
}

class PreadFile final : public leveldb::RandomAccessFile {
 public:
  PreadFile(std::string name, int fd) : name_(std::move(name)), fd_(fd) {}
  ~PreadFile() override { ::close(fd_); }

  // Thread-safe: pread keeps no file position.
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      iovec iov{scratch + done, n - done};
      ssize_t r = ::preadv2(fd_, &iov, 1, static_cast<off_t>(offset + done),
                            t_no_wait.active ? RWF_NOWAIT : 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN && t_no_wait.active) {
          *result = leveldb::Slice(scratch, 0);
          return WouldWait(name_, "the data is not in memory (a read would wait for the disk)");
        }
        *result = leveldb::Slice(scratch, 0);
        return leveldb::Status::IOError(name_, std::strerror(errno));
      }
      if (r == 0) break;  // end of file: a short read, as LevelDB's own files report it
      done += static_cast<size_t>(r);
    }
    *result = leveldb::Slice(scratch, done);
    return leveldb::Status::OK();
  }

 private:
  const std::string name_;
  const int fd_;
};

class PreadEnvImpl final : public leveldb::EnvWrapper {
 public:
  PreadEnvImpl() : EnvWrapper(leveldb::Env::Default()) {}

  leveldb::Status NewRandomAccessFile(const std::string& name,
                                      leveldb::RandomAccessFile** result) override {
    if (t_no_wait.active) {
      *result = nullptr;
      return WouldWait(name, "a table file is not opened without waiting for the disk");
    }
    int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *result = nullptr;
      return errno == ENOENT ? leveldb::Status::NotFound(name, std::strerror(errno))
                             : leveldb::Status::IOError(name, std::strerror(errno));
    }
    *result = new PreadFile(name, fd);
    return leveldb::Status::OK();
  }
};

}  // namespace

NoDiskWaits::NoDiskWaits()
    : outer_active_(t_no_wait.active), outer_would_wait_(t_no_wait.would_wait) {
  t_no_wait = {true, false};
}

NoDiskWaits::~NoDiskWaits() {
  // An outer scope also learns that a read in this one would have waited.
  t_no_wait = {outer_active_, outer_would_wait_ || t_no_wait.would_wait};
}

bool NoDiskWaits::would_wait() const { return t_no_wait.would_wait; }

leveldb::Env* PreadEnv() {
  // Never destroyed: LevelDB may use its Env until the process exits.
  static auto* env = new PreadEnvImpl();
  return env;
}

}  // namespace storage
