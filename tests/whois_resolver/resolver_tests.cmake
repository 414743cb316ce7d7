# Live resolution end to end: the proxy binary against fake WHOIS servers on 127.0.0.1.
add_executable(whois_resolver_test ${CMAKE_CURRENT_LIST_DIR}/resolver_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/rdap_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/stale_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/prefetch_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/source_address_test.cc)
target_link_libraries(whois_resolver_test PRIVATE wp_test_proxy wp_test_fake_whois
  wp_test_fake_rdap
  GTest::gtest_main)
# Each test starts its own processes on ports the kernel picks; they run one at a time because
# several measure timing (limits under saturation) that a loaded machine would distort.
gtest_discover_tests(whois_resolver_test PROPERTIES RUN_SERIAL TRUE TIMEOUT 150)

# Partial answers: a slow registrar after a quick registry (issue 18).
add_executable(whois_partial_answer_test ${CMAKE_CURRENT_LIST_DIR}/partial_answer_test.cc)
target_link_libraries(whois_partial_answer_test PRIVATE wp_test_proxy wp_test_fake_whois
  GTest::gtest_main)
gtest_discover_tests(whois_partial_answer_test PROPERTIES RUN_SERIAL TRUE TIMEOUT 60)

# The resolver, its sources and the upstream gate in process: fake transports, a manual clock
# (in_process_fixture.h), no network and no proxy binary.
add_executable(whois_resolver_unit_test
  ${CMAKE_CURRENT_LIST_DIR}/bootstrap_refresh_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/hop_failure_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/resolver_order_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/upstream_gate_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/whois_source_test.cc)
target_include_directories(whois_resolver_unit_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(whois_resolver_unit_test PRIVATE wp_whois_resolver GTest::gtest_main)
gtest_discover_tests(whois_resolver_unit_test)
