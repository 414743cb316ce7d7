// Redis-style glob matching, as used by SCAN MATCH and KEYS: `*` any run of bytes, `?` one byte,
// `[abc]` a set, `[^a]` a negated set, `[a-z]` a range, `\x` the byte x itself. Pure;
// byte-wise and case-sensitive (callers lower-case when they need to). A malformed pattern such
// as an unclosed `[` matches as Redis does (the set runs to the end of the pattern).
#pragma once

#include <string_view>

namespace storage {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace storage
