// header_fields.cpp: see header_fields.hpp.
#include <fetcher/header_fields.hpp>

#include <algorithm>

namespace fetcher {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool equal_field_names(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

void HeaderFields::add(std::string_view name, std::string_view value) {
  // Most responses carry under 512 bytes of fields in under 16 lines: one allocation each.
  if (entries_.empty()) {
    text_.reserve(512);
    entries_.reserve(16);
  }
  entries_.push_back({static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(name.size()),
                      static_cast<std::uint32_t>(value.size())});
  text_ += name;
  text_ += value;
}

std::size_t HeaderFields::erase(std::string_view name) {
  HeaderFields kept;
  for (std::size_t i = 0; i < size(); ++i) {
    const auto field = (*this)[i];
    if (!equal_field_names(field.name, name)) kept.add(field.name, field.value);
  }
  const auto removed = size() - kept.size();
  if (removed != 0) *this = std::move(kept);
  return removed;
}

void HeaderFields::clear() {
  text_.clear();
  entries_.clear();
}

HeaderFields::Field HeaderFields::operator[](std::size_t i) const {
  const auto& entry = entries_[i];
  const std::string_view text(text_);
  return {text.substr(entry.start, entry.name_size), text.substr(entry.start + entry.name_size, entry.value_size)};
}

std::optional<std::string_view> HeaderFields::find(std::string_view name) const {
  for (std::size_t i = 0; i < size(); ++i) {
    const auto field = (*this)[i];
    if (equal_field_names(field.name, name)) return field.value;
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderFields::find_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (std::size_t i = 0; i < size(); ++i) {
    const auto field = (*this)[i];
    if (equal_field_names(field.name, name)) values.push_back(field.value);
  }
  return values;
}

std::string HeaderFields::content_type() const {
  const auto value = find("content-type");
  if (!value) return {};
  auto type = value->substr(0, value->find(';'));
  while (!type.empty() && is_space(type.front())) type.remove_prefix(1);
  while (!type.empty() && is_space(type.back())) type.remove_suffix(1);
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

}  // namespace fetcher
