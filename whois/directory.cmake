# The TLD -> WHOIS server directory (with its compiled-in IANA snapshot), per-host query formats
# and charsets, and referral extraction. Pure: no I/O library.
add_library(wp_whois_directory STATIC
  ${CMAKE_CURRENT_LIST_DIR}/tld_directory.cc
  ${CMAKE_CURRENT_LIST_DIR}/query_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/referral.cc
)
target_include_directories(wp_whois_directory PUBLIC ${PROJECT_SOURCE_DIR})
# The generated snapshot is #included by tld_directory.cc; rebuild when it changes.
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/tld_directory.cc APPEND PROPERTY OBJECT_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/directory_data/tld_servers.inc)
