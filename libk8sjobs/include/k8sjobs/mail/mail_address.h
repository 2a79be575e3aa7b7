// SPDX-License-Identifier: Apache-2.0
#pragma once
// Recipients from a job's k8sjobs.io/mail-list annotation, which may hold anything: only
// plausible addresses (local@domain, printable ASCII without spaces, quotes, brackets or
// separators, a host-name domain) become SMTP recipients and To headers; the rest are reported
// (printable, quoted) for a log line.

#include <string>
#include <string_view>
#include <vector>

namespace k8sjobs::mail {

bool plausible_address(std::string_view address);

struct Recipients {
  std::vector<std::string> accepted;  // in order, without duplicates
  std::vector<std::string> rejected;  // why each was skipped, printable
};

// `list`: addresses separated by commas (jsub's and qsub's -M). At most `max_recipients` are
// accepted; the ones after are rejected as too many.
Recipients parse_recipients(std::string_view list, int max_recipients);

}  // namespace k8sjobs::mail
