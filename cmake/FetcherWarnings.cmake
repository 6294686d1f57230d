# One place that decides which warnings every fetcher target compiles with.
function(fetcher_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  if(FETCHER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
