// result_wire.hpp: the binary form a processes:N worker sends its results to the parent in.
//
// On the pipe a message is [u32 size][payload]: 'R' and a result's fields, or 'E' and the
// worker's counters. A result's fields are fields_of(FetchResult), in that list's order
// (<fetcher/fetch_result_fields.hpp>); both ends are the same program, so the form has no
// version. Numbers are 8 bytes in the machine's order, text is its size and then its bytes.
#pragma once

#include <fetcher/fetch_result.hpp>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fetcher::detail {

// Builds one message.
class WireWriter {
 public:
  void number(std::uint64_t value) { data_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void text(const std::string& value) {
    number(value.size());
    data_ += value;
  }
  std::string message(char kind) const {
    const auto size = static_cast<std::uint32_t>(data_.size() + 1);
    std::string out(reinterpret_cast<const char*>(&size), sizeof size);
    out += kind;
    return out + data_;
  }

 private:
  std::string data_;
};

// Reads one message's payload; throws std::runtime_error when it ends early.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  std::uint64_t number() {
    std::uint64_t value = 0;
    if (data_.size() < sizeof value) throw std::runtime_error("truncated message from a worker process");
    std::memcpy(&value, data_.data(), sizeof value);
    data_.remove_prefix(sizeof value);
    return value;
  }
  std::string text() {
    const auto size = number();
    if (size > data_.size()) throw std::runtime_error("truncated message from a worker process");
    std::string value(data_.substr(0, size));
    data_.remove_prefix(size);
    return value;
  }

 private:
  std::string_view data_;
};

// A result as an 'R' message, size included.
std::string encode_result(const FetchResult& result);
// A result from an 'R' message's payload (after the 'R'); throws std::runtime_error when the
// payload is truncated or names an unknown error kind or stage.
FetchResult decode_result(std::string_view payload);

}  // namespace fetcher::detail
