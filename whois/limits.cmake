# Upstream limits: per-host admission (concurrency, exact sliding windows, token bucket, daily
# quota reserved ahead in durable blocks, cool-down and back-off) with bounded priority queues
# and deadlines, the built-in table of published registry limits, and the `upstream-limit`
# directive parser.
# Pure: no clock, no I/O library; the server drives it from its loop and stores quota blocks.
add_library(wp_whois_limits STATIC
  ${CMAKE_CURRENT_LIST_DIR}/limits/back_off.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/budget.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/budget_key.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/builtin_limits.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/daily_quota.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/drain_estimate.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/host_scheduler.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/limit_registry.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/limit_spec.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/sliding_window.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits/token_bucket.cc
)
target_include_directories(wp_whois_limits PUBLIC ${PROJECT_SOURCE_DIR})
