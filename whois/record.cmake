# The record schema (WhoisRecord <-> JSON) and the TLD/country table it uses. Both are pure: no
# I/O library. wp_whois_country is declared here, before wp_whois_record, because the include
# loop in whois/CMakeLists.txt reaches record before country; country.cmake guards against
# declaring it twice.
include(${CMAKE_CURRENT_LIST_DIR}/country.cmake)

add_library(wp_whois_record STATIC ${CMAKE_CURRENT_LIST_DIR}/record.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_builder.cc
  ${CMAKE_CURRENT_LIST_DIR}/record_change.cc)
target_include_directories(wp_whois_record PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wp_whois_record PUBLIC wp_whois_country nlohmann_json::nlohmann_json)
