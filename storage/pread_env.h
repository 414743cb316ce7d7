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

}  // namespace storage
