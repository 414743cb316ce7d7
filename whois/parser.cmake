# The WHOIS reply parser: text in, record fields out (pure; links no I/O library). One rule set
# per family of reply formats under parser_rules/.
add_library(wp_whois_parser STATIC
  ${CMAKE_CURRENT_LIST_DIR}/whois_date.cc
  ${CMAKE_CURRENT_LIST_DIR}/reply_classifier.cc
  ${CMAKE_CURRENT_LIST_DIR}/reply_lines.cc
  ${CMAKE_CURRENT_LIST_DIR}/reply_fields.cc
  ${CMAKE_CURRENT_LIST_DIR}/reply_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/chain_merge.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/icann_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/ripe_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/indented_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/bracket_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/freenom_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/column_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser_rules/rule_set_for.cc)
target_include_directories(wp_whois_parser PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wp_whois_parser PUBLIC wp_whois_record)
