// A LevelDB Env that reads table files with pread(2) instead of mapping them into memory.
//
// LevelDB's default Env on 64-bit systems mmaps up to 1000 table files. Every page a random read
// touches then stays in the process's resident set, so RSS grows with the database (a 1M-record
// cache reached ~480 MB), although the memory is only page cache. With pread the data goes
// through the block cache (bounded by `block-cache-size`) and the kernel's page cache (not ours),
// so the process's memory stays bounded whatever the size of the database.
#pragma once

#include <leveldb/env.h>

namespace storage {

// Returns an Env that delegates everything to leveldb::Env::Default() except random-access
// files. The object lives for the whole process (LevelDB's Env contract); it holds no state.
leveldb::Env* PreadEnv();

// While a NoDiskWaits lives, reads that PreadEnv's files make on the thread that created it never
// wait for the disk: they use preadv2 with RWF_NOWAIT, so only data already in the OS page cache
// is read, and opening a table file is refused. A read that would wait fails with an IOError and
// sets would_wait(). This lets the event loop run a LevelDB Get itself when the blocks it needs
// are in memory (block cache or page cache) and hand it to a storage thread only when they are
// not. The mode is per thread (LevelDB's Env API passes nothing per call), and nests.
class NoDiskWaits {
 public:
  NoDiskWaits();
  ~NoDiskWaits();
  NoDiskWaits(const NoDiskWaits&) = delete;
  NoDiskWaits& operator=(const NoDiskWaits&) = delete;

  // Some read on this thread failed, since this object was created, because it would have
  // waited for the disk (or had to open a file).
  bool would_wait() const;

 private:
  bool outer_active_;
  bool outer_would_wait_;
};

}  // namespace storage
