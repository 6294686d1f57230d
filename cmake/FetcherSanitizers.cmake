# Sanitizer and fuzzing builds, applied to every target of the tree (library, origin, CLI, tests).
#
#   -DFETCHER_SANITIZE=address   AddressSanitizer (with LeakSanitizer) + UndefinedBehaviorSanitizer
#   -DFETCHER_SANITIZE=thread    ThreadSanitizer
#   -DFETCHER_SANITIZE=          nothing (the default)
#   -DFETCHER_FUZZ=ON            libFuzzer targets in fuzz/ (clang only): every target is
#                                instrumented with -fsanitize=fuzzer-no-link,address,undefined and
#                                the fuzz executables link -fsanitize=fuzzer
#
# UBSan findings abort (-fno-sanitize-recover), so a test that triggers one fails instead of
# printing a line nobody reads. The presets in CMakePresets.json set these for build-asan,
# build-tsan and build-fuzz; the run-time options (ASAN_OPTIONS, ...) are set by .ci/run and
# described in fuzz/README.md.
set(FETCHER_SANITIZE "" CACHE STRING "Sanitizers for every target: empty, address (ASan+UBSan) or thread (TSan)")
set_property(CACHE FETCHER_SANITIZE PROPERTY STRINGS "" address thread)
option(FETCHER_FUZZ "Build the libFuzzer targets in fuzz/ (requires clang)" OFF)

set(_fetcher_san_common -fno-omit-frame-pointer -fno-optimize-sibling-calls)
set(_fetcher_ubsan -fsanitize=undefined -fno-sanitize-recover=undefined)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 17)
  # Clang before 17 cannot emit -fsanitize=function's prologue data for C++20 coroutines (the
  # split resume/destroy functions): "error: Cannot represent a difference across sections".
  # That check (calls through a function pointer of the wrong type) is the only one left out.
  list(APPEND _fetcher_ubsan -fno-sanitize=function)
endif()

if(FETCHER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FETCHER_FUZZ=ON needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ or use the 'fuzz' preset")
  endif()
  if(NOT FETCHER_SANITIZE STREQUAL "")
    message(FATAL_ERROR "FETCHER_FUZZ=ON already builds with address+undefined; leave FETCHER_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address ${_fetcher_ubsan} ${_fetcher_san_common})
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "fetcher: fuzzing build (libFuzzer + ASan + UBSan)")
elseif(FETCHER_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address ${_fetcher_ubsan} ${_fetcher_san_common})
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "fetcher: sanitizers address (ASan + LSan) and undefined (UBSan)")
elseif(FETCHER_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread ${_fetcher_san_common})
  add_link_options(-fsanitize=thread)
  message(STATUS "fetcher: sanitizer thread (TSan); run with TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp")
elseif(NOT FETCHER_SANITIZE STREQUAL "")
  message(FATAL_ERROR "FETCHER_SANITIZE must be empty, 'address' or 'thread' (got '${FETCHER_SANITIZE}')")
endif()

# A sanitized libfetcher.a calls into the sanitizer runtime, so whoever links it must link that
# runtime too: the link options go into fetcher's usage requirements, which the installed package
# exports (the installed_package_consumer test builds a consumer against it). Deferred to the end
# of the top-level directory, when the fetcher target exists.
if(NOT FETCHER_SANITIZE STREQUAL "" OR FETCHER_FUZZ)
  get_directory_property(_fetcher_san_link_options LINK_OPTIONS)
  function(_fetcher_export_sanitizer_link_options)
    if(TARGET fetcher)
      set_property(TARGET fetcher APPEND PROPERTY INTERFACE_LINK_OPTIONS ${ARGN})
    endif()
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _fetcher_export_sanitizer_link_options
                 ${_fetcher_san_link_options})
endif()
