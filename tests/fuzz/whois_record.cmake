wp_add_fuzzer(record_json_fuzz
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/record_json_fuzz.cc
          ${CMAKE_CURRENT_LIST_DIR}/record_json_invariants.cc
  LIBS wp_whois_record)
