# One place that decides which warnings every fetcher target compiles with.
function(fetcher_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  # GCC 12 reports std::string concatenations at -O3 as overlapping memcpy (GCC bug 105651):
  # a false positive in libstdc++, not in our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(FETCHER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
