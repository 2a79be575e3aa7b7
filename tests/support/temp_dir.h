#pragma once
// A temporary directory for one test, removed at the end unless K8SJOBS_KEEP_TEST_DIRS is set
// (then its path is printed, so a failing test's files can be inspected).

#include <filesystem>
#include <string>

namespace k8sjobs::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to `relative` (creating parent directories) and returns the full path.
  std::filesystem::path write(
      const std::string& relative, const std::string& content,
      std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                     std::filesystem::perms::owner_write) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
// The file's bytes, or "" when there is no such file.
std::string read_if_exists(const std::filesystem::path& path);

}  // namespace k8sjobs::testing
