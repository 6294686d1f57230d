// fetch_result_fields.hpp: the one list of FetchResult's fields, which every codec of it walks.
//
// Two codecs carry a FetchResult: the binary one a processes:N worker sends its results to the
// parent in (fetcher/src/result_wire.cpp), and the JSON of `fetcher get --format json` and of
// the bench's measured child (cli/common/result_json.cpp). Both walk the lists below with
// for_each_field and choose a representation by the member's type, so a new member of a type
// they know (text, a number, a flag, a duration, ...) is one line here, and a member of a new
// type does not compile until each codec has a form for it. A member left out of the list does
// not compile either (the static_asserts at the end).
//
//   for_each_field(result, [&](const FieldInfo& field, auto& member) { ... });
//
// A member whose type has a list of its own (FetchTimings) is walked in line: the visitor sees
// its fields, not the member, and JSON has them at the top level ("connect_ms", ...).
#pragma once

#include <fetcher/fetch_result.hpp>

#include <boost/pfr/tuple_size.hpp>

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace fetcher {

// How a field appears in JSON. The binary codec carries every field whatever this says.
enum class JsonPresence {
  required,  // always written; a record without it is refused
  optional,  // always written; absent (a record from before it existed) reads as its default
  when_set,  // written only when set (not empty); absent reads as its default
  absent,    // never in JSON (the body, a flag only the library's own processes need)
};

struct FieldInfo {
  std::string_view name;  // the key in JSON
  JsonPresence json = JsonPresence::required;
};

template <class Owner, class Member>
struct Field {
  FieldInfo info;
  Member Owner::*member;
};

template <class Owner, class Member>
constexpr Field<Owner, Member> field(std::string_view name, Member Owner::*member,
                                     JsonPresence json = JsonPresence::required) {
  return {{name, json}, member};
}

// JSON writes a duration in milliseconds, as a double; the binary codec in nanoseconds.
constexpr auto fields_of(std::type_identity<FetchTimings>) {
  return std::tuple{
      field("connect_ms", &FetchTimings::connect),
      field("tls_ms", &FetchTimings::tls),
      field("first_byte_ms", &FetchTimings::first_byte),
      field("total_ms", &FetchTimings::total),
  };
}

// In the order the binary codec writes them. JSON's keys come out sorted whatever the order.
// By type: ErrorKind and FetchStage go by their names (to_string), in both codecs; the cause
// crosses the pipe as its code when its category is the system's or the generic one, and is
// its message alone in JSON (not read back); the header fields are all on the pipe, and only
// their media type in JSON (read back as a Content-Type field).
constexpr auto fields_of(std::type_identity<FetchResult>) {
  using enum JsonPresence;
  return std::tuple{
      field("index", &FetchResult::index),
      field("url", &FetchResult::url),
      field("final_url", &FetchResult::final_url),
      field("source", &FetchResult::source, when_set),
      field("status", &FetchResult::status),
      field("bytes", &FetchResult::body_bytes),
      field("wire_bytes", &FetchResult::wire_bytes, optional),
      field("sha256", &FetchResult::body_sha256),
      field("redirects", &FetchResult::redirects),
      field("attempts", &FetchResult::attempts, optional),
      field("reused_connection", &FetchResult::reused_connection, optional),
      field("timings", &FetchResult::timings),  // walked in line: connect_ms, tls_ms, ...
      field("error", &FetchResult::error),
      field("stage", &FetchResult::stage, optional),
      field("cause", &FetchResult::cause, when_set),
      field("message", &FetchResult::message),
      field("body", &FetchResult::body, absent),
      field("content_type", &FetchResult::headers, optional),
      field("warning", &FetchResult::warning, optional),
      field("body_skipped", &FetchResult::body_skipped, absent),
  };
}

template <class T>
concept HasFieldList = requires {
  fields_of(std::type_identity<T>{});
};

// Calls visit(const FieldInfo&, member&) for each field of `object` (const or not), in list
// order, walking a member with a list of its own in line.
template <class Object, class Visit>
requires HasFieldList<std::remove_const_t<Object>>
void for_each_field(Object& object, Visit&& visit) {
  std::apply(
      [&](const auto&... fields) {
        const auto visit_one = [&](const auto& one) {
          auto& member = object.*(one.member);
          if constexpr (HasFieldList<std::remove_cvref_t<decltype(member)>>) {
            for_each_field(member, visit);
          } else {
            visit(one.info, member);
          }
        };
        (visit_one(fields), ...);
      },
      fields_of(std::type_identity<std::remove_const_t<Object>>{}));
}

namespace detail {

template <class A, class B>
constexpr bool same_member(const A& a, const B& b) {
  if constexpr (std::is_same_v<A, B>) {
    return a.member == b.member;
  } else {
    return false;
  }
}

// How many (entry, entry) pairs of T's list name the same member: the list's size when no
// member is listed twice.
template <class T, std::size_t... i>
constexpr std::size_t pairs_naming_one_member(std::index_sequence<i...>) {
  constexpr auto fields = fields_of(std::type_identity<T>{});
  std::size_t alike = 0;
  const auto count_alike = [&](const auto& one) { ((alike += same_member(one, std::get<i>(fields)) ? 1 : 0), ...); };
  (count_alike(std::get<i>(fields)), ...);
  return alike;
}

}  // namespace detail

// Each member is in its type's list exactly once: there are as many entries as the aggregate
// has members, and no two entries name the same member.
template <class T>
constexpr bool lists_each_member_once() {
  constexpr auto size = std::tuple_size_v<decltype(fields_of(std::type_identity<T>{}))>;
  return size == boost::pfr::tuple_size_v<T> &&
         detail::pairs_naming_one_member<T>(std::make_index_sequence<size>{}) == size;
}
static_assert(lists_each_member_once<FetchTimings>(), "fields_of(FetchTimings) misses or repeats a member");
static_assert(lists_each_member_once<FetchResult>(), "fields_of(FetchResult) misses or repeats a member");

}  // namespace fetcher
