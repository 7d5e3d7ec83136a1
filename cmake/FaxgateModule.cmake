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

# faxgate_glob_sources(SOURCES_VAR TESTS_VAR): the calling directory's .cpp files, split by name
# into library code (<what>.cpp) and unit tests (<what>_test.cpp, <what>_test_support.cpp).
function(faxgate_glob_sources sources_var tests_var)
  file(GLOB all CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(tests ${all})
  list(FILTER all EXCLUDE REGEX "_test(_support)?\\.cpp$")
  list(FILTER tests INCLUDE REGEX "_test(_support)?\\.cpp$")
  set(${sources_var} ${all} PARENT_SCOPE)
  set(${tests_var} ${tests} PARENT_SCOPE)
endfunction()
