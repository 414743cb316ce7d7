# TLD -> country, country names and free-text normalisation over compiled-in tables
# (whois/data/country_data.inc; see whois/data/README.md). Pure: links nothing.
# Included from record.cmake (which needs it first) and again by the whois/ include loop.
if(NOT TARGET wp_whois_country)
  add_library(wp_whois_country STATIC ${CMAKE_CURRENT_LIST_DIR}/country.cc)
  target_include_directories(wp_whois_country PUBLIC ${PROJECT_SOURCE_DIR})
endif()
