# faxgate_module(NAME SOURCES ... DEPS ... TESTS ... TEST_DEPS ...)
# One static library per module (fg_<name>), included as "<name>/header.h" from src/.
# Unit tests named in TESTS build into <name>_test and register each gtest case with ctest.
function(faxgate_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;TESTS;TEST_DEPS" ${ARGN})
  add_library(fg_${name} STATIC ${M_SOURCES})
  target_include_directories(fg_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(fg_${name} PUBLIC ${M_DEPS})
  faxgate_warnings(fg_${name})
  if(FAXGATE_TESTS AND M_TESTS)
    add_executable(${name}_test ${M_TESTS})
    target_link_libraries(${name}_test PRIVATE fg_${name} ${M_TEST_DEPS} GTest::gmock GTest::gtest_main)
    faxgate_warnings(${name}_test)
    gtest_discover_tests(${name}_test DISCOVERY_MODE PRE_TEST
                         PROPERTIES ENVIRONMENT "FAXGATE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()
