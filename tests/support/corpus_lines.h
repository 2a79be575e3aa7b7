// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading the lines of tests/data/corpus/real-lines.tsv as the golden corpus tests do.

#include <string>

namespace k8sjobs::testing {

// `text` with its tabs and newlines made blanks, so that it fits in one field of a golden TSV.
std::string one_line(std::string text);

// The command cron or the shell ran: a crontab line (`kind` "crontab") without its schedule,
// any line without the '#' that commented it out.
std::string command_of(std::string line, const std::string& kind);

}  // namespace k8sjobs::testing
