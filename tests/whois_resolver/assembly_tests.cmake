# The record assembly in-process (pure: a finished chain becomes the record).
add_executable(whois_assembly_test ${CMAKE_CURRENT_LIST_DIR}/record_assembly_test.cc)
target_link_libraries(whois_assembly_test PRIVATE wp_whois_assembly GTest::gtest_main)
gtest_discover_tests(whois_assembly_test)
