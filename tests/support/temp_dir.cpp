#include "support/temp_dir.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace k8sjobs::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "k8sjobs-test-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buffer.data();
}

TempDir::~TempDir() {
  if (std::getenv("K8SJOBS_KEEP_TEST_DIRS") != nullptr) {
    std::cerr << "kept test directory " << path_ << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& content,
                                     std::filesystem::perms perms) const {
  auto full = path_ / relative;
  std::filesystem::create_directories(full.parent_path());
  {
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + full.string());
  }
  std::filesystem::permissions(full, perms);
  return full;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string read_if_exists(const std::filesystem::path& path) {
  return std::filesystem::exists(path) ? read_file(path) : std::string();
}

}  // namespace k8sjobs::testing
