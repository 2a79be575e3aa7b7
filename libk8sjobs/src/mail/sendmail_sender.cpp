// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/mail/sendmail_sender.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace k8sjobs::mail {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kOutputKept = 4096;  // of what the program prints, for the error line
constexpr int kNoPidfdTick = 20;           // ms between looks at the child without a pidfd

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void take(int fd) {
    reset();
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// sendmail(8) reads local text: lines end in LF. The rendered message's CRLF become LF.
std::string local_line_ends(const std::string& message) {
  std::string out;
  out.reserve(message.size());
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    out += message[i];
  }
  return out;
}

// The first line of what the program said, printable.
std::string first_line(const std::string& output) {
  std::string line = output.substr(0, output.find('\n'));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// Writing to a program that stopped reading must not end this process with SIGPIPE (the local
// backend's supervisor keeps default dispositions, which its jobs inherit): SIGPIPE is blocked
// on this thread while we write, and one it raised is taken off before the mask is restored.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlocked() {
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{0, 0};
      ::sigtimedwait(&pipe_, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::string exit_text(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// "30 s", or "250 ms" for a timeout that is not whole seconds.
std::string duration_text(std::chrono::milliseconds time) {
  if (time.count() % 1000 == 0) return std::to_string(time.count() / 1000) + " s";
  return std::to_string(time.count()) + " ms";
}

}  // namespace

std::string sendmail_unusable(const std::string& program) {
  if (program.empty() || program.front() != '/') return "'" + program + "' is not an absolute path";
  struct stat info {};
  if (::stat(program.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return program + " not found";
    return program + ": " + std::strerror(errno);
  }
  if (!S_ISREG(info.st_mode)) return program + " is not a program";
  if (::access(program.c_str(), X_OK) != 0) return program + " is not executable";
  return "";
}

Expected<std::string, std::string> SendmailSender::send(const std::string& recipient,
                                                        const std::string& message) {
  const std::string& program = settings_.program;
  std::vector<std::string> words{program, "-i"};
  if (!settings_.from.empty()) {
    words.push_back("-f");
    words.push_back(settings_.from);
  }
  // "--": a recipient is never taken for an option, whatever it starts with.
  words.push_back("--");
  words.push_back(recipient);
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : settings_.environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int input_pipe[2];
  int output_pipe[2];
  if (::pipe2(input_pipe, O_CLOEXEC) != 0) {
    return unexpected("cannot run " + program + ": pipe: " + std::strerror(errno));
  }
  Fd input_read(input_pipe[0]), input(input_pipe[1]);
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) {
    return unexpected("cannot run " + program + ": pipe: " + std::strerror(errno));
  }
  Fd output(output_pipe[0]), output_write(output_pipe[1]);

  pid_t pid = -1;
  {
    SpawnSetup setup;
    ::posix_spawn_file_actions_adddup2(&setup.actions, input_read.get(), 0);
    ::posix_spawn_file_actions_adddup2(&setup.actions, output_write.get(), 1);
    ::posix_spawn_file_actions_adddup2(&setup.actions, output_write.get(), 2);
    // Nothing else of ours (a job's descriptors, locks) reaches the program.
    ::posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    // Its own process group, so that a timeout kills what it started too; default signal
    // dispositions and nothing blocked, whatever the caller had.
    sigset_t none;
    sigemptyset(&none);
    sigset_t all;
    sigfillset(&all);
    ::posix_spawnattr_setsigmask(&setup.attributes, &none);
    ::posix_spawnattr_setsigdefault(&setup.attributes, &all);
    ::posix_spawnattr_setpgroup(&setup.attributes, 0);
    ::posix_spawnattr_setflags(
        &setup.attributes,
        static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP));
    const int spawned = ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes,
                                      argv.data(), envp.data());
    if (spawned != 0) return unexpected("cannot run " + program + ": " + std::strerror(spawned));
  }
  input_read.reset();
  output_write.reset();
  ::fcntl(input.get(), F_SETFL, ::fcntl(input.get(), F_GETFL) | O_NONBLOCK);
  ::fcntl(output.get(), F_SETFL, ::fcntl(output.get(), F_GETFL) | O_NONBLOCK);
  // Readable once the program ended; -1 on kernels before 5.3 (then it is looked at every
  // kNoPidfdTick ms). glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  Fd exited(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  const std::string text = local_line_ends(message);
  std::size_t written = 0;
  std::string said;
  auto read_output = [&] {
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::read(output.get(), buffer, sizeof buffer);
      if (got > 0) {
        const std::size_t room = kOutputKept - std::min(kOutputKept, said.size());
        said.append(buffer, std::min(static_cast<std::size_t>(got), room));
        continue;
      }
      if (got == 0) output.reset();  // every writer closed it
      if (got < 0 && errno == EINTR) continue;
      return;
    }
  };

  SigpipeBlocked no_sigpipe;
  const auto deadline = Clock::now() + settings_.timeout;
  int status = 0;
  for (;;) {
    const pid_t waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid) break;
    if (waited < 0 && errno != EINTR) {
      return unexpected("cannot wait for " + program + ": " + std::strerror(errno));
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return unexpected(program + " did not finish within " + duration_text(settings_.timeout) +
                        "; it was killed");
    }
    if (input.open() && written == text.size()) input.reset();  // end of the message
    pollfd watched[3];
    nfds_t count = 0;
    if (input.open()) watched[count++] = pollfd{input.get(), POLLOUT, 0};
    if (output.open()) watched[count++] = pollfd{output.get(), POLLIN, 0};
    if (exited.open()) watched[count++] = pollfd{exited.get(), POLLIN, 0};
    int wait_ms = static_cast<int>(std::min<long long>(left, 1000));
    if (!exited.open()) wait_ms = std::min(wait_ms, kNoPidfdTick);
    if (::poll(watched, count, wait_ms) < 0 && errno != EINTR) {
      return unexpected("cannot wait for " + program + ": " + std::strerror(errno));
    }
    if (input.open()) {
      const ssize_t put = ::write(input.get(), text.data() + written, text.size() - written);
      if (put > 0) {
        written += static_cast<std::size_t>(put);
      } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
        input.reset();  // it stopped reading (EPIPE): its exit status tells what it made of it
      }
    }
    if (output.open()) read_output();
  }
  if (output.open()) read_output();  // what it said just before it ended

  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string("accepted by " + program);
  std::string why = program + " " + exit_text(status);
  const std::string line = first_line(said);
  if (!line.empty()) why += ": " + line;
  return unexpected(why);
}

}  // namespace k8sjobs::mail
