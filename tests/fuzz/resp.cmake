wp_add_fuzzer(resp_fuzz SOURCES ${CMAKE_CURRENT_LIST_DIR}/resp_fuzz.cc LIBS wp_resp)
