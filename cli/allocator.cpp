// allocator.cpp: the `fetcher` command's malloc is jemalloc, told to back its memory with
// transparent huge pages (compiled in only with FETCHER_JEMALLOC; the library leaves the
// allocator to whoever links it).
//
// Why: ten thousand connections in flight touch about 150 MB at once (read buffers, coroutine
// frames, streams), first in 4 KB pages. On a virtual machine a page fault costs tens of
// microseconds, and `fetcher bench --synthetic 10k` spent a third of its client CPU in them
// (67,000 faults per run). With huge pages it takes about 6,500. The kernel honours the advice
// only where transparent huge pages are "madvise" or "always"; elsewhere this changes nothing.
// jemalloc reads this variable once, before the first allocation.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "thp:always";
}
