# Domain-name normalisation: URL/host/IDN input to the registrable domain used as the cache key.
# Pure (no I/O library): libidn2 for IDNA2008, libpsl for the Public Suffix List, whose default
# path callers get as WP_PSL_FILE.
add_library(wp_whois_names STATIC
  ${CMAKE_CURRENT_LIST_DIR}/domain_name.cc
)
target_include_directories(wp_whois_names PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wp_whois_names PUBLIC PkgConfig::PSL PkgConfig::IDN2)
target_compile_definitions(wp_whois_names PUBLIC WP_PSL_FILE="${WP_PSL_FILE}")
