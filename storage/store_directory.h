// What a record store's directory holds, looked at from outside LevelDB: before Open lets LevelDB
// touch a directory, and when the store decides whether a disk has room again. LevelDB itself
// must never see a directory it could damage: with create_if_missing it starts a new database
// in a directory whose CURRENT file was lost, and then deletes the old tables as obsolete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/status.h"

namespace storage {

struct DirectoryContents {
  enum class Kind {
    kAbsent,        // no such directory
    kEmpty,         // nothing in it but what a failed creation leaves (LOCK, LOG, LOG.old) or
                    // lost+found (the root of a file system)
    kDatabase,      // it has a CURRENT file: a LevelDB database, perhaps damaged
    kNotADatabase,  // anything else: files, but no CURRENT
  };
  Kind kind = Kind::kAbsent;
  // LevelDB's own file names: NNNNNN.ldb/.sst, NNNNNN.log, MANIFEST-NNNNNN. `other` counts
  // every other entry (besides the ones kEmpty ignores).
  int table_files = 0;
  int log_files = 0;
  int manifest_files = 0;
  int other = 0;
  uint64_t bytes = 0;       // sum of the sizes of the regular files directly in it
  uint64_t log_bytes = 0;   // of which in write-ahead logs
  uint64_t newest_log = 0;  // highest log file number, 0 if none

  // "3 table files, 1 write-ahead log, 1 manifest, 2 other entries (1.2 MB)"
  std::string Describe() const;
  bool HasLevelDbFiles() const { return table_files + log_files + manifest_files > 0; }
};

// Lists `dir` (not recursively). IOError if it exists but cannot be listed.
Status InspectDirectory(const std::string& dir, DirectoryContents* out);

// Bytes an unprivileged process may still write on the file system holding `dir` (statvfs
// f_bavail), or nullopt if it cannot be asked.
std::optional<uint64_t> FreeBytes(const std::string& dir);

}  // namespace storage
