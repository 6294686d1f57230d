// content_decoder.hpp: undoes Content-Encoding (gzip, deflate) as the body streams in, with a
// limit on the decoded size so a small compressed body cannot expand into all of memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace fetcher::detail {

class ContentDecoder {
 public:
  enum class Result { ok, too_large, corrupt };
  using Sink = std::function<void(const char* data, std::size_t size)>;

  // `encoding` is the Content-Encoding value; "identity" or empty passes bytes through.
  // Returns null for an encoding it does not know (the caller reports it).
  static std::unique_ptr<ContentDecoder> make(std::string_view encoding, std::uint64_t decoded_limit);
  // True for the encodings make() answers with a PassThrough, which a caller can then keep on
  // its own frame: nearly every body comes as is, and that saves an allocation per response.
  static bool is_pass_through(std::string_view encoding);
  virtual ~ContentDecoder() = default;

  // Feeds wire bytes; decoded bytes go to `sink`.
  virtual Result feed(const char* data, std::size_t size, const Sink& sink) = 0;
  // The body ended: false when the compressed stream was cut short.
  virtual bool finish() = 0;
  std::uint64_t decoded_bytes() const { return decoded_; }

 protected:
  std::uint64_t decoded_ = 0;
};

// No Content-Encoding: bytes go to the sink as they are, up to the limit.
class PassThrough final : public ContentDecoder {
 public:
  explicit PassThrough(std::uint64_t limit) : limit_(limit) {}
  Result feed(const char* data, std::size_t size, const Sink& sink) override;
  bool finish() override { return true; }

 private:
  std::uint64_t limit_;
};

}  // namespace fetcher::detail
