// asio_impl.cpp: the origin's one translation unit that compiles Asio, Asio's SSL glue and Beast.
// The origin stands alone (it links nothing of the library), so it compiles its own copy, with
// the same definitions as the library's fetcher/src/asio_impl.cpp. Where a program links both, the
// linker takes these objects from whichever archive it reads first; the copies are identical.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
