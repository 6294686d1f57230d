// result_wire.cpp: see result_wire.hpp.
#include "result_wire.hpp"

#include <fetcher/fetch_result_fields.hpp>

#include <chrono>
#include <stdexcept>
#include <system_error>
#include <type_traits>

namespace fetcher::detail {
namespace {

// One field on the pipe, by its type; the fields and their order are fields_of(FetchResult).
void write_field(WireWriter& out, const std::string& value) { out.text(value); }
void write_field(WireWriter& out, bool value) { out.number(value ? 1 : 0); }
template <class Number>
requires std::is_integral_v<Number>
void write_field(WireWriter& out, Number value) { out.number(static_cast<std::uint64_t>(value)); }
void write_field(WireWriter& out, std::chrono::nanoseconds value) {
  out.number(static_cast<std::uint64_t>(value.count()));
}
void write_field(WireWriter& out, ErrorKind value) { out.text(std::string(to_string(value))); }
void write_field(WireWriter& out, FetchStage value) { out.text(std::string(to_string(value))); }
void write_field(WireWriter& out, const HeaderFields& value) {
  out.number(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    out.text(std::string(value[i].name));
    out.text(std::string(value[i].value));
  }
}
// The cause crosses the pipe in the categories both processes share, by these numbers; a code
// of another category (TLS, DNS, HTTP parsing) arrives empty.
enum CauseCategory : std::uint64_t { no_cause = 0, system_cause = 1, generic_cause = 2 };

void write_field(WireWriter& out, const std::error_code& value) {
  auto category = no_cause;
  if (value && value.category() == std::system_category()) category = system_cause;
  if (value && value.category() == std::generic_category()) category = generic_cause;
  out.number(category);
  out.number(static_cast<std::uint64_t>(static_cast<std::int64_t>(value.value())));
}

void read_field(WireReader& in, std::string& value) { value = in.text(); }
void read_field(WireReader& in, bool& value) { value = in.number() != 0; }
template <class Number>
requires std::is_integral_v<Number>
void read_field(WireReader& in, Number& value) { value = static_cast<Number>(in.number()); }
void read_field(WireReader& in, std::chrono::nanoseconds& value) {
  value = std::chrono::nanoseconds(static_cast<std::int64_t>(in.number()));
}
void read_field(WireReader& in, ErrorKind& value) {
  if (!parse_error_kind(in.text(), value)) throw std::runtime_error("bad error kind from a worker");
}
void read_field(WireReader& in, FetchStage& value) {
  if (!parse_fetch_stage(in.text(), value)) throw std::runtime_error("bad stage from a worker");
}
void read_field(WireReader& in, HeaderFields& value) {
  const auto field_count = in.number();
  for (std::uint64_t i = 0; i < field_count; ++i) {
    const auto name = in.text();
    value.add(name, in.text());
  }
}
void read_field(WireReader& in, std::error_code& value) {
  const auto category = in.number();
  const auto code = static_cast<int>(static_cast<std::int64_t>(in.number()));
  if (category == system_cause) value = std::error_code(code, std::system_category());
  if (category == generic_cause) value = std::error_code(code, std::generic_category());
}

}  // namespace

std::string encode_result(const FetchResult& result) {
  WireWriter out;
  for_each_field(result, [&](const FieldInfo&, const auto& member) { write_field(out, member); });
  return out.message('R');
}

FetchResult decode_result(std::string_view payload) {
  WireReader in(payload);
  FetchResult result;
  for_each_field(result, [&](const FieldInfo&, auto& member) { read_field(in, member); });
  return result;
}

}  // namespace fetcher::detail
