#include "k8sjobs/translate/labels.h"

#include <cctype>

namespace k8sjobs::translate {
namespace {

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

std::string trim_to_alnum(std::string text) {
  while (!text.empty() && !is_alnum(text.back())) text.pop_back();
  size_t start = 0;
  while (start < text.size() && !is_alnum(text[start])) ++start;
  return text.substr(start);
}

}  // namespace

std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool allowed = is_alnum(c) || c == '-' || c == '_' || c == '.';
    out.push_back(allowed && static_cast<unsigned char>(c) < 0x80 ? c : '-');
    if (out.size() == 63) break;
  }
  return trim_to_alnum(out);
}

std::string dns_label(std::string_view job_name, std::size_t max_length) {
  std::string base;
  for (char c : job_name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      base.push_back(static_cast<char>(std::tolower(u)));
    } else if (!base.empty() && base.back() != '-') {
      base.push_back('-');
    }
  }
  if (base.size() > max_length) base.resize(max_length);
  base = trim_to_alnum(base);
  return base.empty() ? "job" : base;
}

std::string object_name(std::string_view job_name, long long job_id) {
  constexpr size_t kMaxLength = 52;
  std::string suffix = "-" + std::to_string(job_id);
  return dns_label(job_name, kMaxLength - suffix.size()) + suffix;
}

}  // namespace k8sjobs::translate
