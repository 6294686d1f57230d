// content_decoder_test.cpp: the client's Content-Encoding decoders on their own: which
// encodings pass bytes through, that gzip and deflate bodies come out whole, and that the
// decoded-size limit and a cut-short stream are caught. (Over HTTP, against the origin and
// canned servers, the same paths are in client_e2e_test.cpp.)
#include "content_decoder.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace fetcher::detail {
namespace {

// `text` compressed by zlib: a gzip member (gzip = true) or a zlib stream ("deflate" in HTTP).
std::string compress(const std::string& text, bool gzip) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

struct Decoded {
  std::string text;
  ContentDecoder::Sink sink() {
    return [this](const char* data, std::size_t size) { text.append(data, size); };
  }
};

TEST(ContentDecoder, NoEncodingAndIdentityPassThrough) {
  for (const char* encoding : {"", "identity", "Identity", " identity\t"}) {
    EXPECT_TRUE(ContentDecoder::is_pass_through(encoding)) << "'" << encoding << "'";
  }
  for (const char* encoding : {"gzip", "deflate", "br", "identity2"}) {
    EXPECT_FALSE(ContentDecoder::is_pass_through(encoding)) << encoding;
  }
}

// The client keeps a PassThrough of its own exactly when is_pass_through says so: make must agree.
TEST(ContentDecoder, IsPassThroughAgreesWithMake) {
  for (const char* encoding : {"", "identity", " IDENTITY ", "gzip", "x-gzip", "GZIP", "deflate", "br"}) {
    const auto decoder = ContentDecoder::make(encoding, 1);
    EXPECT_EQ(ContentDecoder::is_pass_through(encoding), dynamic_cast<PassThrough*>(decoder.get()) != nullptr)
        << "'" << encoding << "'";
  }
  EXPECT_NE(ContentDecoder::make("x-gzip", 1), nullptr);
  EXPECT_NE(ContentDecoder::make(" GZIP", 1), nullptr);
}

TEST(ContentDecoder, PassThroughHandsBytesOnAndCountsThem) {
  PassThrough decoder(100);
  Decoded out;
  const auto sink = out.sink();
  EXPECT_EQ(decoder.feed("hello, ", 7, sink), ContentDecoder::Result::ok);
  EXPECT_EQ(decoder.feed("world", 5, sink), ContentDecoder::Result::ok);
  EXPECT_TRUE(decoder.finish());
  EXPECT_EQ(out.text, "hello, world");
  EXPECT_EQ(decoder.decoded_bytes(), 12u);
}

TEST(ContentDecoder, PassThroughStopsAtItsLimit) {
  PassThrough decoder(10);
  Decoded out;
  const auto sink = out.sink();
  EXPECT_EQ(decoder.feed("0123456789", 10, sink), ContentDecoder::Result::ok);
  EXPECT_EQ(decoder.feed("x", 1, sink), ContentDecoder::Result::too_large);
  EXPECT_EQ(out.text, "0123456789");  // nothing past the limit reached the sink
}

TEST(ContentDecoder, APieceThatCrossesTheLimitIsRefusedWhole) {
  PassThrough decoder(10);
  Decoded out;
  const auto sink = out.sink();
  EXPECT_EQ(decoder.feed("012345", 6, sink), ContentDecoder::Result::ok);
  EXPECT_EQ(decoder.feed("67890", 5, sink), ContentDecoder::Result::too_large);
  EXPECT_EQ(out.text, "012345");
}

TEST(ContentDecoder, GzipAndDeflateBodiesComeOutWhole) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + " of a page\n";
  for (const bool gzip : {true, false}) {
    const auto wire = compress(text, gzip);
    auto decoder = ContentDecoder::make(gzip ? "gzip" : "deflate", 1 << 20);
    ASSERT_TRUE(decoder);
    Decoded out;
    const auto sink = out.sink();
    // In small pieces, as reads deliver them.
    for (std::size_t at = 0; at < wire.size(); at += 100) {
      const auto piece = std::min<std::size_t>(100, wire.size() - at);
      ASSERT_EQ(decoder->feed(wire.data() + at, piece, sink), ContentDecoder::Result::ok);
    }
    EXPECT_TRUE(decoder->finish());
    EXPECT_EQ(out.text, text) << (gzip ? "gzip" : "deflate");
    EXPECT_EQ(decoder->decoded_bytes(), text.size());
  }
}

TEST(ContentDecoder, ACompressedBodyLargerThanTheLimitIsRefused) {
  const std::string text(100'000, 'a');  // compresses to a few hundred bytes
  const auto wire = compress(text, true);
  auto decoder = ContentDecoder::make("gzip", 10'000);
  ASSERT_TRUE(decoder);
  Decoded out;
  EXPECT_EQ(decoder->feed(wire.data(), wire.size(), out.sink()), ContentDecoder::Result::too_large);
  EXPECT_LE(out.text.size(), 10'000u);
}

TEST(ContentDecoder, ACutShortStreamIsNotFinished) {
  const auto wire = compress(std::string(5000, 'b') + "end", true);
  auto decoder = ContentDecoder::make("gzip", 1 << 20);
  ASSERT_TRUE(decoder);
  Decoded out;
  EXPECT_EQ(decoder->feed(wire.data(), wire.size() / 2, out.sink()), ContentDecoder::Result::ok);
  EXPECT_FALSE(decoder->finish());
  EXPECT_LT(out.text.size(), 5003u);  // "end" never came
}

TEST(ContentDecoder, GarbageIsCorruptAndUnknownEncodingsAreRefused) {
  auto decoder = ContentDecoder::make("gzip", 1 << 20);
  ASSERT_TRUE(decoder);
  Decoded out;
  const std::string garbage = "this is not gzip at all";
  EXPECT_EQ(decoder->feed(garbage.data(), garbage.size(), out.sink()), ContentDecoder::Result::corrupt);
  EXPECT_EQ(ContentDecoder::make("br", 1 << 20), nullptr);
  EXPECT_EQ(ContentDecoder::make("compress", 1 << 20), nullptr);
}

}  // namespace
}  // namespace fetcher::detail
