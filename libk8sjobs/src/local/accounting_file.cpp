// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/local/accounting_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace k8sjobs::local {

Expected<Done, std::string> AccountingFile::append(
    const std::vector<acct::AccountingRecord>& records) const {
  if (records.empty()) return Done{};
  std::string text;
  for (const auto& record : records) text += acct::encode_record(record) + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return unexpected("cannot open " + path_.string() + ": " + std::strerror(errno));
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  std::size_t written = 0;
  std::string failure;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure = "cannot write " + path_.string() + ": " + std::strerror(errno);
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);  // also releases the lock
  if (!failure.empty()) return unexpected(failure);
  return Done{};
}

std::vector<acct::AccountingRecord> AccountingFile::read(std::vector<std::string>& warnings) const {
  std::vector<acct::AccountingRecord> records;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return records;
  std::string line;
  for (long long number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    auto record = acct::decode_record(line);
    if (!record) {
      warnings.push_back("ignoring accounting line " + std::to_string(number) + " of " +
                         path_.string() + ": " + record.error());
      continue;
    }
    records.push_back(std::move(*record));
  }
  return records;
}

}  // namespace k8sjobs::local
