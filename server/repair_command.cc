#include "server/repair_command.h"

#include <memory>
#include <mutex>

#include "server/store_options.h"
#include "storage/record_store.h"

namespace server {

int RunRepair(const Config& config, std::ostream& out, std::ostream& err) {
  storage::StoreOptions opts = StoreOptionsFromConfig(config);
  auto mu = std::make_shared<std::mutex>();
  opts.log = [&out, mu](storage::Severity, const std::string& message) {
    std::lock_guard<std::mutex> lock(*mu);
    out << "note: " << message << "\n";
  };
  storage::RepairReport report;
  storage::Status st = storage::RecordStore::Repair(opts, &report);
  if (!st.ok()) {
    err << "cannot repair the record store in '" << config.dir << "': " << st.ToString() << "\n";
    return 1;
  }
  out << report.Summary(config.dir);
  return 0;
}

}  // namespace server
