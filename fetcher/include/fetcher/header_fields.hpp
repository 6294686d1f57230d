// header_fields.hpp: HTTP header fields in order, looked up by case-insensitive name.
//
// A response's fields (FetchResult::headers) and a request's extra fields (FetchRequest::headers)
// are both HeaderFields. The fields live in one string with a small table of offsets, so a
// response's header costs two allocations however many fields it has, not one per field.
// Repeated fields are kept, each as it came.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher {

class HeaderFields {
 public:
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  // Appends a field; the name keeps its spelling, the value is stored as given.
  void add(std::string_view name, std::string_view value);
  // Removes every field with this name; returns how many it removed.
  std::size_t erase(std::string_view name);
  void clear();

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // The i-th field in the order they were added; i < size().
  Field operator[](std::size_t i) const;

  // The first field's value with this name (ASCII case-insensitive), nullopt when there is none.
  // Views into this object: valid until it changes.
  std::optional<std::string_view> find(std::string_view name) const;
  // Every value with this name, in order.
  std::vector<std::string_view> find_all(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }

  // The media type of Content-Type without its parameters, lower-cased ("text/html" for
  // "Text/HTML; charset=UTF-8"); empty when there is no Content-Type.
  std::string content_type() const;

  friend bool operator==(const HeaderFields&, const HeaderFields&) = default;

 private:
  struct Entry {
    std::uint32_t start;  // of the name in text_; the value follows it
    std::uint32_t name_size;
    std::uint32_t value_size;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::string text_;
  std::vector<Entry> entries_;
};

// ASCII case-insensitive comparison, as HTTP field names compare.
bool equal_field_names(std::string_view a, std::string_view b);

}  // namespace fetcher
