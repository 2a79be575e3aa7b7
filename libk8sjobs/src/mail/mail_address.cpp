// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/mail/mail_address.h"

#include <algorithm>

#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::mail {

namespace {

bool local_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("<>()[]\\,;:\"@").find(static_cast<char>(c)) == std::string_view::npos;
}

bool domain_ok(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
      label_start = i + 1;
      continue;
    }
    const char c = domain[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool plausible_address(std::string_view address) {
  if (address.size() > 254) return false;
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = address.substr(0, at);
  if (!std::all_of(local.begin(), local.end(), [](char c) { return local_char(c); })) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  return domain_ok(address.substr(at + 1));
}

Recipients parse_recipients(std::string_view list, int max_recipients) {
  Recipients recipients;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view word = trim(list.substr(start, comma - start));
    start = comma + 1;
    if (word.empty()) continue;
    std::string address(word);
    if (!plausible_address(word)) {
      recipients.rejected.push_back(jobs::untrusted::quoted(word) + " is not a mail address");
    } else if (std::find(recipients.accepted.begin(), recipients.accepted.end(), address) !=
               recipients.accepted.end()) {
      continue;
    } else if (static_cast<int>(recipients.accepted.size()) >= max_recipients) {
      recipients.rejected.push_back(jobs::untrusted::quoted(word) + ": more than " +
                                    std::to_string(max_recipients) + " recipients");
    } else {
      recipients.accepted.push_back(std::move(address));
    }
  }
  return recipients;
}

}  // namespace k8sjobs::mail
