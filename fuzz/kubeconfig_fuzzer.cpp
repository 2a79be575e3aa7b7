// SPDX-License-Identifier: Apache-2.0
// The kubeconfig reader (kube/kubeconfig.h) over any text: a kubeconfig, or two of them
// merged (the input's first NUL byte separates the files). Every context is turned into a
// connection; certificate and key files are not read (a fuzzed path could name /dev/zero),
// only the *-data fields are decoded. Any outcome is fine but an escaping exception or a crash.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "k8sjobs/kube/kubeconfig.h"

namespace {

namespace fs = std::filesystem;

// Where the files go: written for every input, they are read ten times faster from a RAM file
// system (/dev/shm) than from a disk, unless TMPDIR says otherwise.
fs::path scratch_root() {
  std::error_code ec;
  if (std::getenv("TMPDIR") == nullptr && fs::is_directory("/dev/shm", ec)) return "/dev/shm";
  return fs::temp_directory_path();
}

// Two files in a private directory, written anew for each input and removed at exit.
class ScratchFiles {
 public:
  ScratchFiles() {
    std::string pattern = (scratch_root() / "k8sjobs-fuzz-kubeconfig.XXXXXX").string();
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    directory_ = pattern;
    paths_ = {directory_ / "config", directory_ / "sub" / "second"};
    fs::create_directories(directory_ / "sub");
  }
  ScratchFiles(const ScratchFiles&) = delete;
  ScratchFiles& operator=(const ScratchFiles&) = delete;
  ~ScratchFiles() {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }

  const std::vector<fs::path>& write(std::string_view first,
                                     std::optional<std::string_view> second) {
    write_file(paths_[0], first);
    if (second) {
      write_file(paths_[1], *second);
    } else {
      std::error_code ignored;
      fs::remove(paths_[1], ignored);  // a missing file is skipped, as in a KUBECONFIG list
    }
    return paths_;
  }

 private:
  static void write_file(const fs::path& path, std::string_view text) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    FUZZ_CHECK(file != nullptr);
    FUZZ_CHECK(std::fwrite(text.data(), 1, text.size(), file) == text.size());
    FUZZ_CHECK(std::fclose(file) == 0);
  }

  fs::path directory_;
  std::vector<fs::path> paths_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ScratchFiles scratch;  // one directory per fuzzing process
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const auto first = input.substr(0, nul);
  const auto second = nul == std::string_view::npos
                          ? std::nullopt
                          : std::optional<std::string_view>(input.substr(nul + 1));

  auto config = k8sjobs::kube::load_kubeconfig(scratch.write(first, second));
  if (!config) return 0;
  for (auto& [name, cluster] : config->clusters) cluster.certificate_authority.reset();
  for (auto& [name, user] : config->users) {
    user.client_certificate.reset();
    user.client_key.reset();
  }
  (void)config->connection(std::nullopt);
  for (const auto& [name, context] : config->contexts) {
    const auto connection = config->connection(name);
    if (connection) {
      FUZZ_CHECK(connection->context_name == name);
      FUZZ_CHECK(!connection->server.empty());
      FUZZ_CHECK(!connection->namespace_name.empty());
    }
  }
  return 0;
}
