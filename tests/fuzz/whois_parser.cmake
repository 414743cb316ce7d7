wp_add_fuzzer(whois_reply_fuzz
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/whois_reply_fuzz.cc
          ${CMAKE_CURRENT_LIST_DIR}/whois_reply_invariants.cc
  LIBS wp_whois_parser wp_whois_record)
