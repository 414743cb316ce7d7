wp_add_fuzzer(record_codec_fuzz
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/record_codec_fuzz.cc
          ${CMAKE_CURRENT_LIST_DIR}/record_codec_invariants.cc
  LIBS wp_storage)
