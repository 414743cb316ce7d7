# The upstream client's tests and the fake WHOIS server they (and later the resolver's tests and
# the benchmarks) run against. tests/CMakeLists.txt lists test folders explicitly, so the fake
# server's folder is added from here.
add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/../fake_whois ${CMAKE_CURRENT_BINARY_DIR}/fake_whois)

set(WP_UPSTREAM_TEST_DIR ${CMAKE_CURRENT_LIST_DIR}/../whois_upstream)
add_executable(whois_upstream_test
  ${WP_UPSTREAM_TEST_DIR}/address_policy_test.cc
  ${WP_UPSTREAM_TEST_DIR}/charset_test.cc
  ${WP_UPSTREAM_TEST_DIR}/upstream_client_test.cc
  ${WP_UPSTREAM_TEST_DIR}/fake_whois_test.cc
)
target_link_libraries(whois_upstream_test PRIVATE wp_whois_upstream wp_test_fake_whois
  GTest::gtest_main)
# Each test starts its own fake-whois on ports it picks itself, so they may run in parallel.
gtest_discover_tests(whois_upstream_test PROPERTIES TIMEOUT 120)
