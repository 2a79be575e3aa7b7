#pragma once
// Reading small files (kubeconfigs, certificates, tokens) with the OS's reason on failure,
// so messages can say why. Private to src/kube.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "k8sjobs/expected.h"

namespace k8sjobs::kube::detail {

// The file's bytes, or the reason it could not be read ("No such file or directory").
inline Expected<std::string, std::string> read_small_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return unexpected(std::string("is a directory"));
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return unexpected(std::string(std::strerror(errno)));
  std::string content;
  char buffer[8192];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) content.append(buffer, n);
  bool failed = std::ferror(file) != 0;
  int saved = errno;
  std::fclose(file);
  if (failed) return unexpected(std::string(std::strerror(saved)));
  return content;
}

inline std::string trim(std::string text) {
  const char* space = " \t\r\n\f\v";
  auto end = text.find_last_not_of(space);
  if (end == std::string::npos) return "";
  text.erase(end + 1);
  text.erase(0, text.find_first_not_of(space));
  return text;
}

}  // namespace k8sjobs::kube::detail
