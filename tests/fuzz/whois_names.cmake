wp_add_fuzzer(domain_name_fuzz
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/domain_name_fuzz.cc
          ${CMAKE_CURRENT_LIST_DIR}/domain_name_invariants.cc
  LIBS wp_whois_names)
