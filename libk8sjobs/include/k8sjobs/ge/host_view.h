#pragma once
// What submit parsing may learn about the submitting host: files, the working directory,
// the user, the environment and the time. Abstract so tests hand in a small fake; the real
// one (make_system_host_view) is built once in main().

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "k8sjobs/sys/clock.h"
#include "k8sjobs/sys/environment.h"

namespace k8sjobs::ge {

class HostView {
 public:
  virtual ~HostView() = default;
  virtual bool exists(const std::string& path) const = 0;
  virtual bool is_directory(const std::string& path) const = 0;
  // A regular file the caller may execute (jsub's `-f $prog and -x $prog`).
  virtual bool is_executable_file(const std::string& path) const = 0;
  // At most max_bytes from the start of the file; nullopt if it cannot be read.
  virtual std::optional<std::string> read_file(const std::string& path,
                                               std::size_t max_bytes) const = 0;
  // read_file for text only: nullopt also when the bytes read hold a NUL (a program such as
  // /usr/bin/python3 rather than a script). What the parser scans for #$ lines; a caching
  // view answers it without copying a binary's bytes for every command that runs it.
  virtual std::optional<std::string> read_text_file(const std::string& path,
                                                    std::size_t max_bytes) const {
    auto text = read_file(path, max_bytes);
    if (text && text->find('\0') != std::string::npos) return std::nullopt;
    return text;
  }
  // qsub without a script word: the script from standard input, at most max_bytes (nullopt if
  // it cannot be read). Read once; the default has no standard input.
  virtual std::optional<std::string> read_stdin(std::size_t max_bytes) const {
    (void)max_bytes;
    return std::nullopt;
  }
  virtual std::string cwd() const = 0;   // absolute
  virtual std::string home() const = 0;  // the user's home (from the password database)
  virtual std::string user() const = 0;  // login name, e.g. tools.alice
  virtual std::optional<std::string> env(const std::string& name) const = 0;
  // The current local time as C's ctime() writes it, without the newline:
  // "Thu Mar  7 09:05:01 2024" (jsub's "[<ctime>] ..." messages).
  virtual std::string ctime_now() const = 0;
  // The current time (-a without a year is in the current one).
  virtual std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::now();
  }
};

// The real host: POSIX file checks, getcwd, the password database for home and user, the
// given environment snapshot and clock.
std::unique_ptr<HostView> make_system_host_view(sys::Environment environment,
                                                const sys::Clock& clock);

}  // namespace k8sjobs::ge
