// content_decoder.cpp: zlib's inflate for gzip and deflate bodies.
#include "content_decoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace fetcher::detail {
namespace {

class Inflate final : public ContentDecoder {
 public:
  Inflate(bool gzip, std::uint64_t limit) : gzip_(gzip), limit_(limit) { start(gzip_ ? 15 + 32 : 15); }
  ~Inflate() override { inflateEnd(&stream_); }

  Result feed(const char* data, std::size_t size, const Sink& sink) override {
    if (ended_) return size == 0 ? Result::ok : Result::corrupt;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    stream_.avail_in = static_cast<uInt>(size);
    while (stream_.avail_in > 0) {
      char out[16384];
      stream_.next_out = reinterpret_cast<Bytef*>(out);
      stream_.avail_out = sizeof out;
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status == Z_DATA_ERROR && !gzip_ && !raw_ && total_in_before_output()) {
        // "deflate" is meant to be zlib-wrapped, but many servers send raw deflate: start over.
        inflateEnd(&stream_);
        raw_ = true;
        start(-15);
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        stream_.avail_in = static_cast<uInt>(size);
        continue;
      }
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) return Result::corrupt;
      const std::size_t produced = sizeof out - stream_.avail_out;
      if (decoded_ + produced > limit_) return Result::too_large;
      decoded_ += produced;
      if (produced) sink(out, produced);
      if (status == Z_STREAM_END) {
        ended_ = true;
        return stream_.avail_in == 0 ? Result::ok : Result::corrupt;
      }
      if (status == Z_BUF_ERROR && produced == 0) break;
    }
    return Result::ok;
  }

  bool finish() override { return ended_; }

 private:
  void start(int window_bits) {
    stream_ = z_stream{};
    inflateInit2(&stream_, window_bits);
  }
  bool total_in_before_output() const { return decoded_ == 0; }

  bool gzip_;
  bool raw_ = false;
  bool ended_ = false;
  std::uint64_t limit_;
  z_stream stream_{};
};

// The encoding's name, lower case, without the spaces around it.
std::string encoding_name(std::string_view encoding) {
  std::string name;
  for (char c : encoding) {
    if (c != ' ' && c != '\t') name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

// One rule for is_pass_through and make, which the client relies on agreeing.
bool names_pass_through(const std::string& name) { return name.empty() || name == "identity"; }

}  // namespace

ContentDecoder::Result PassThrough::feed(const char* data, std::size_t size, const Sink& sink) {
  if (decoded_ + size > limit_) return Result::too_large;
  decoded_ += size;
  sink(data, size);
  return Result::ok;
}

bool ContentDecoder::is_pass_through(std::string_view encoding) { return names_pass_through(encoding_name(encoding)); }

std::unique_ptr<ContentDecoder> ContentDecoder::make(std::string_view encoding, std::uint64_t decoded_limit) {
  const auto name = encoding_name(encoding);
  if (names_pass_through(name)) return std::make_unique<PassThrough>(decoded_limit);
  if (name == "gzip" || name == "x-gzip") return std::make_unique<Inflate>(true, decoded_limit);
  if (name == "deflate") return std::make_unique<Inflate>(false, decoded_limit);
  return nullptr;
}

}  // namespace fetcher::detail
