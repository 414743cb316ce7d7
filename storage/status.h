// storage::Status is the project's util::Status (util/status.h), under the name storage's callers
// have always used. LevelDB statuses are converted at the boundary so callers never include
// LevelDB headers.
#pragma once

#include "util/status.h"

namespace storage {

using Status = util::Status;

}  // namespace storage
