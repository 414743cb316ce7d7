#include "storage/dictionary_compressor.h"

// For ZSTD_c_literalCompressionMode (stable in the library Debian 12 ships, 1.5.4; marked
// experimental in its header).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

namespace storage {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* p) const { ZSTD_freeCCtx(p); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* p) const { ZSTD_freeDCtx(p); }
};
struct CDictFree {
  void operator()(ZSTD_CDict* p) const { ZSTD_freeCDict(p); }
};
struct DDictFree {
  void operator()(ZSTD_DDict* p) const { ZSTD_freeDDict(p); }
};

}  // namespace

struct DictionaryCompressor::State {
  int level = 3;
  bool checksum = false;
  bool raw_literals = false;
  bool with_dictionary = false;
  std::unique_ptr<ZSTD_CDict, CDictFree> cdict;
  std::unique_ptr<ZSTD_DDict, DDictFree> ddict;
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx{ZSTD_createCCtx()};
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx{ZSTD_createDCtx()};
  std::string scratch;  // CompressTo's output before it is appended
};

DictionaryCompressor::DictionaryCompressor(std::string_view dictionary, int level, bool checksum,
                                           bool raw_literals)
    : state_(std::make_unique<State>()) {
  state_->level = level;
  state_->checksum = checksum;
  state_->raw_literals = raw_literals;
  if (!dictionary.empty()) {
    state_->with_dictionary = true;
    state_->cdict.reset(ZSTD_createCDict(dictionary.data(), dictionary.size(), level));
    state_->ddict.reset(ZSTD_createDDict(dictionary.data(), dictionary.size()));
  }
}

DictionaryCompressor::~DictionaryCompressor() = default;
DictionaryCompressor::DictionaryCompressor(DictionaryCompressor&&) noexcept = default;
DictionaryCompressor& DictionaryCompressor::operator=(DictionaryCompressor&&) noexcept = default;

bool DictionaryCompressor::ok() const {
  return state_->cctx && state_->dctx &&
         (!state_->with_dictionary || (state_->cdict && state_->ddict));
}

bool DictionaryCompressor::CompressTo(std::string_view in, std::string* out) {
  // Into a scratch buffer of the bound, then appended: a string sized to the bound and cut to
  // the frame would keep the bound's allocation, several times the frame, for as long as the
  // value is kept.
  std::string& scratch = state_->scratch;
  scratch.resize(ZSTD_compressBound(in.size()));
  ZSTD_CCtx* cctx = state_->cctx.get();
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, state_->checksum ? 1 : 0);
  if (state_->with_dictionary)
    ZSTD_CCtx_refCDict(cctx, state_->cdict.get());
  else
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, state_->level);
  // A library that refuses the parameter compresses literals as usual; the frame reads the same.
  if (state_->raw_literals)
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_literalCompressionMode, ZSTD_ps_disable);
  const size_t n = ZSTD_compress2(cctx, scratch.data(), scratch.size(), in.data(), in.size());
  // Compressing into a buffer of compressBound bytes fails only without memory.
  if (ZSTD_isError(n)) return false;
  out->append(scratch.data(), n);
  return true;
}

std::optional<size_t> DictionaryCompressor::ContentSize(std::string_view in) {
  const unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return std::nullopt;
  return static_cast<size_t>(size);
}

Status DictionaryCompressor::DecompressTo(std::string_view in, size_t max_bytes, std::string* out) {
  const unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    return Status::Corruption("not a zstd frame of a known size");
  if (size > max_bytes)
    return Status::Corruption("a zstd frame of " + std::to_string(size) + " bytes, more than the " +
                              std::to_string(max_bytes) + " allowed");
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(size));
  ZSTD_DCtx* dctx = state_->dctx.get();
  char* dst = out->data() + start;
  const size_t n =
      state_->with_dictionary
          ? ZSTD_decompress_usingDDict(dctx, dst, static_cast<size_t>(size), in.data(), in.size(),
                                       state_->ddict.get())
          : ZSTD_decompressDCtx(dctx, dst, static_cast<size_t>(size), in.data(), in.size());
  if (ZSTD_isError(n) || n != size) {
    out->resize(start);
    return Status::Corruption(ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short zstd frame");
  }
  return Status::OK();
}

}  // namespace storage
