#include "support/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include "support/build_paths.h"

namespace k8sjobs::testing {

namespace {

// Closes on scope exit; the runner has several early returns.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::array<int, 2> make_pipe() {
  std::array<int, 2> ends{};
  if (pipe2(ends.data(), O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  return ends;
}

}  // namespace

std::filesystem::path built_command(const std::string& relative) {
  return std::filesystem::path(K8SJOBS_BINARY_DIR) / relative;
}

CommandOutput run_command(const CommandSpec& spec) {
  // Everything the child needs is prepared before fork: only async-signal-safe calls after.
  std::vector<std::string> words{spec.program.string()};
  words.insert(words.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : spec.environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string cwd = spec.working_directory.string();

  auto out_pipe = make_pipe();
  auto err_pipe = make_pipe();
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  Fd stdin_file(spec.stdin_text ? memfd_create("k8sjobs-test-stdin", MFD_CLOEXEC) : -1);
  if (spec.stdin_text) {
    if (stdin_file.get() < 0) {
      throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < spec.stdin_text->size()) {
      const ssize_t n = write(stdin_file.get(), spec.stdin_text->data() + written,
                              spec.stdin_text->size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(std::string("write: ") + std::strerror(errno));
      written += static_cast<std::size_t>(n);
    }
    lseek(stdin_file.get(), 0, SEEK_SET);
  }
  const int stdin_fd = stdin_file.get();

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int null_fd = stdin_fd >= 0 ? stdin_fd : open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_write.get(), 1) < 0 ||
        dup2(err_write.get(), 2) < 0) {
      _exit(126);
    }
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  out_write.reset();
  err_write.reset();

  CommandOutput output;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::array<pollfd, 2> fds{pollfd{out_read.get(), POLLIN, 0}, pollfd{err_read.get(), POLLIN, 0}};
  std::array<std::string*, 2> sinks{&output.out, &output.err};
  int open_streams = 2;
  while (open_streams > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      output.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    const bool printed = !spec.until_stderr_contains.empty() &&
                         output.err.find(spec.until_stderr_contains) != std::string::npos;
    if (printed || (spec.stop != nullptr && spec.stop->load())) {
      output.stopped = true;
      kill(pid, SIGKILL);
      break;
    }
    if (spec.stop != nullptr) left = std::min(left, std::chrono::milliseconds(50));
    int ready = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[8192];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_streams;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    output.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    output.exit_code = 128 + WTERMSIG(status);
  }
  return output;
}

std::string describe(const CommandSpec& spec, const CommandOutput& output) {
  std::string text = "$ " + spec.program.filename().string();
  for (const auto& arg : spec.args) text += " '" + arg + "'";
  text += "\nexit code: " + std::to_string(output.exit_code);
  if (output.timed_out) text += " (timed out)";
  if (output.stopped) text += " (stopped by the test)";
  text += "\n--- stdout ---\n" + output.out + "--- stderr ---\n" + output.err;
  return text;
}

}  // namespace k8sjobs::testing
