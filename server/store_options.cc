#include "server/store_options.h"

#include "whois/record/record_dictionary.h"

namespace server {

storage::StoreOptions StoreOptionsFromConfig(const Config& config) {
  storage::StoreOptions opts;
  opts.dir = config.dir;
  opts.block_cache_bytes = static_cast<size_t>(config.block_cache_size);
  opts.write_buffer_bytes = static_cast<size_t>(config.write_buffer_size);
  opts.threads = config.storage_threads;
  opts.sync_writes = config.storage_sync;
  // Heads packed against the records' dictionary: a cold read decompresses one record, not a
  // LevelDB block of a dozen (storage/value_packer.h; bench/RESULTS.md, "Packed values").
  opts.head_dictionaries = {{whois::kRecordDictionaryId, whois::RecordDictionaryText()}};
  opts.head_dictionary = whois::kRecordDictionaryId;
  opts.head_mirror = config.head_mirror;
  return opts;
}

}  // namespace server
