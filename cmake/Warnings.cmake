# Every faxgate target compiles with the same strict warnings; a warning is a build failure.
function(faxgate_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers)
  # g++ 12 at -O3 reports impossible overlapping memcpy in std::string concatenation
  # (GCC bug 105329, fixed in 13). It fires inside libstdc++ on correct code, so it is off there.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
endfunction()
