# FAXGATE_SANITIZE=ON instruments the whole build (libraries, tests, daemon) with ASan+UBSan.
# CI builds this way; UBSan findings abort so that a test cannot pass over undefined behaviour.
if(FAXGATE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
