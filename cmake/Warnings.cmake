# Every faxgate target compiles with the same strict warnings; a warning is a build failure.
function(faxgate_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers)
endfunction()
