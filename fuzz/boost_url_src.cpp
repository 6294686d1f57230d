// boost_url_src.cpp: Boost.URL's implementation compiled into the fuzz targets, instrumented.
//
// The library links Debian's libboost_url.so, which is built without coverage or sanitizers, so
// libFuzzer would see none of the URL parser's branches and ASan none of its memory. These
// objects are linked into each fuzz executable directly, so their definitions are the ones the
// fetcher library's calls bind to. Same Boost version as the shared library (1.81).
#include <boost/url/src.hpp>
