# FetcherCrawlDependencies.cmake: finds what the crawl layer links privately, the same way for the
# source tree (crawl/CMakeLists.txt) and for the installed package (fetcherConfig.cmake, next to
# which it is installed): fetcher::crawl is a static library, so whoever links it links these too.
#   modest::modest              modest's myhtml, the HTML parser (Debian: libmodest-dev); modest
#                               ships no pkg-config file, so its library and headers are found by name
#   PkgConfig::fetcher_hiredis  hiredis, the Redis client of the shared crawl (Debian:
#                               libhiredis-dev), through pkg-config
# Quiet: it sets fetcher_crawl_dependencies_MISSING to what it could not find (empty when all is
# there) and leaves the failing to its caller. MODEST_LIBRARY and MODEST_INCLUDE_DIR are cache
# entries, to point at another modest.
find_library(MODEST_LIBRARY modest)
find_path(MODEST_INCLUDE_DIR myhtml/api.h)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(fetcher_hiredis QUIET IMPORTED_TARGET hiredis)
endif()

set(fetcher_crawl_dependencies_MISSING "")
if(MODEST_LIBRARY AND MODEST_INCLUDE_DIR)
  if(NOT TARGET modest::modest)
    add_library(modest::modest UNKNOWN IMPORTED)
    set_target_properties(modest::modest PROPERTIES
      IMPORTED_LOCATION "${MODEST_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MODEST_INCLUDE_DIR}")
  endif()
else()
  list(APPEND fetcher_crawl_dependencies_MISSING "modest (Debian: libmodest-dev)")
endif()
if(NOT fetcher_hiredis_FOUND)
  list(APPEND fetcher_crawl_dependencies_MISSING "hiredis through pkg-config (Debian: libhiredis-dev, pkg-config)")
endif()
