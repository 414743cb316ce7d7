wp_add_fuzzer(referral_fuzz
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/referral_fuzz.cc
          ${CMAKE_CURRENT_LIST_DIR}/referral_invariants.cc
  LIBS wp_whois_directory)
