// SPDX-License-Identifier: Apache-2.0
#include "support/corpus_lines.h"

#include <sstream>

namespace k8sjobs::testing {

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n') c = ' ';
  }
  return text;
}

std::string command_of(std::string line, const std::string& kind) {
  const auto start = line.find_first_not_of("# ");
  line = start == std::string::npos ? "" : line.substr(start);
  if (kind != "crontab") return line;
  std::istringstream in(line);
  std::string field;
  const int fields = line.starts_with('@') ? 1 : 5;
  for (int i = 0; i < fields && in >> field; ++i) {
  }
  std::string rest;
  std::getline(in, rest);
  return rest;
}

}  // namespace k8sjobs::testing
