#include "k8sjobs/cron/command_finder.h"

#include <array>
#include <cctype>

namespace k8sjobs::cron {
namespace {

constexpr std::array<std::string_view, 6> kGridCommands = {"jsub", "jstart", "qcronsub",
                                                           "qsub", "jstop",  "qdel"};
constexpr std::array<std::string_view, 5> kShells = {"sh", "bash", "dash", "ksh", "zsh"};
// Words that start or end a compound command: the real command is the next word.
constexpr std::array<std::string_view, 14> kReserved = {"if", "then", "elif",  "else",  "fi",
                                                        "do", "done", "while", "until", "!",
                                                        "{",  "}",    "time",  "esac"};
// Commands that run their arguments as a command.
constexpr std::array<std::string_view, 4> kWrappers = {"exec", "nohup", "command", "env"};
// Nested `sh -c` deeper than this is not followed (it only guards against pathological input).
constexpr int kMaxDepth = 8;

template <std::size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& list) {
  for (std::string_view item : list) {
    if (s == item) return true;
  }
  return false;
}

std::string_view basename(std::string_view word) {
  const std::size_t slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

// `NAME=value` where NAME and `=` were typed without quotes.
bool is_assignment(const ShellWord& word) {
  const std::size_t eq = word.value.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (std::size_t i = 0; i <= eq; ++i) {
    const char c = word.value[i];
    if (word.origins[i] != word.begin + i) return false;  // quoted or escaped
    if (i == eq) break;
    const bool ok = c == '_' || std::isalpha(static_cast<unsigned char>(c)) != 0 ||
                    (i > 0 && std::isdigit(static_cast<unsigned char>(c)) != 0);
    if (!ok) return false;
  }
  return true;
}

std::string join_directory(const std::optional<std::string>& current, const std::string& dir) {
  if (!current || dir.empty() || dir.front() == '/' || dir.front() == '~' || dir.front() == '$') {
    return dir;
  }
  return *current + "/" + dir;
}

struct SimpleCommand {
  std::vector<ShellWord> words;
  std::vector<Redirection> redirections;
  std::size_t begin = 0;
  std::size_t end = 0;
};

class Finder {
 public:
  explicit Finder(CommandScan& out) : out_(out) {}

  // `origins` maps offsets in `text` to the original line (nullptr: identity).
  bool scan(std::string_view text, const std::vector<std::size_t>* origins, int depth,
            std::optional<std::string> cd) {
    auto tokens = tokenize_shell(text);
    if (!tokens) {
      ShellSyntaxError error = tokens.error();
      error.offset = map_point(error.offset, text.size(), origins);
      out_.error = std::move(error);
      return false;
    }
    std::vector<std::optional<std::string>> subshells;  // cd to restore at `)`
    SimpleCommand current;
    std::size_t remaining = tokens->size();
    for (ShellToken& token : *tokens) {
      --remaining;
      if (token.kind == ShellTokenKind::Operator) {
        if (!finish(current, origins, depth, cd)) return false;
        current = SimpleCommand{};
        if (token.op == "(") subshells.push_back(cd);
        if (token.op == ")" && !subshells.empty()) {
          cd = subshells.back();
          subshells.pop_back();
        }
        continue;
      }
      if (current.words.empty() && current.redirections.empty()) current.begin = token.begin;
      current.end = token.end;
      if (token.kind == ShellTokenKind::Redirection) {
        current.redirections.push_back(
            Redirection{std::move(token.op), token.fd, std::move(token.word.value)});
      } else {
        if (current.words.empty()) current.words.reserve(remaining + 1);  // the rest, at most
        current.words.push_back(std::move(token.word));
      }
    }
    return finish(current, origins, depth, cd);
  }

 private:
  static std::size_t map_point(std::size_t offset, std::size_t size,
                               const std::vector<std::size_t>* origins) {
    if (origins == nullptr || origins->empty()) return offset;
    if (offset < size) return (*origins)[offset];
    return origins->back() + 1;
  }

  static void map_span(std::size_t& begin, std::size_t& end,
                       const std::vector<std::size_t>* origins) {
    if (origins == nullptr || end <= begin) return;
    const std::size_t last = (*origins)[end - 1];
    begin = (*origins)[begin];
    end = last + 1;
  }

  static ShellWord map_word(ShellWord word, const std::vector<std::size_t>* origins) {
    if (origins == nullptr) return word;
    map_span(word.begin, word.end, origins);
    for (std::size_t& origin : word.origins) origin = (*origins)[origin];
    return word;
  }

  // Takes the words out of `command` when they belong to a grid command.
  bool finish(SimpleCommand& command, const std::vector<std::size_t>* origins, int depth,
              std::optional<std::string>& cd) {
    std::vector<ShellWord>& words = command.words;
    std::size_t i = 0;
    while (i < words.size() && !words[i].quoted && one_of(words[i].value, kReserved)) ++i;
    std::vector<Assignment> assignments;
    for (bool wrapper = true; wrapper;) {
      while (i < words.size() && is_assignment(words[i])) {
        const std::size_t eq = words[i].value.find('=');
        assignments.push_back(
            Assignment{words[i].value.substr(0, eq), words[i].value.substr(eq + 1)});
        ++i;
      }
      wrapper = i < words.size() && !words[i].quoted && one_of(words[i].value, kWrappers);
      if (wrapper) {
        ++i;
        // Options of the wrappers (`env -i`, `command -p`, `exec -a name` is bash-only).
        while (i < words.size() && words[i].value.size() > 1 && words[i].value.front() == '-') ++i;
      }
    }
    if (i >= words.size()) return true;

    const std::string& word = words[i].value;
    const std::string_view base = basename(word);
    if (word == "cd") {
      const std::string dir = i + 1 < words.size() ? words[i + 1].value : "~";
      if (dir != "-") cd = join_directory(cd, dir);
      return true;
    }
    if (base == "jlocal") {
      out_.uses_jlocal = true;
      return true;
    }
    if (!grid_command_name(word).empty()) {
      GridCommand found;
      found.name = std::string(base);
      found.invoked_as = word;
      found.argv.reserve(words.size() - i - 1);
      found.words.reserve(words.size() - i - 1);
      for (std::size_t j = i + 1; j < words.size(); ++j) {
        found.argv.push_back(words[j].value);
        found.words.push_back(map_word(std::move(words[j]), origins));
      }
      found.redirections = std::move(command.redirections);
      found.assignments = std::move(assignments);
      found.cd_directory = cd;
      found.begin = command.begin;
      found.end = command.end;
      map_span(found.begin, found.end, origins);
      found.inside_shell_c = depth > 0;
      out_.commands.push_back(std::move(found));
      return true;
    }
    if (one_of(base, kShells) && depth < kMaxDepth) {
      // The first operand after an option cluster containing `c` is the command string.
      bool dash_c = false;
      for (std::size_t j = i + 1; j < words.size(); ++j) {
        const std::string& arg = words[j].value;
        if (arg == "--") continue;
        if (arg.size() > 1 && (arg.front() == '-' || arg.front() == '+')) {
          if (arg == "-o" || arg == "+o" || arg == "-O" || arg == "+O") ++j;  // takes a value
          if (arg.front() == '-' && arg.find('c') != std::string::npos && arg.rfind("--", 0) != 0) {
            dash_c = true;
          }
          continue;
        }
        if (!dash_c) break;  // `bash script.sh`: not a command string
        std::vector<std::size_t> inner = words[j].origins;
        if (origins != nullptr) {
          for (std::size_t& origin : inner) origin = (*origins)[origin];
        }
        return scan(arg, &inner, depth + 1, cd);
      }
    }
    return true;
  }

  CommandScan& out_;
};

}  // namespace

std::string_view grid_command_name(std::string_view command_word) {
  const std::string_view base = basename(command_word);
  for (std::string_view name : kGridCommands) {
    if (base == name) return name;
  }
  return "";
}

CommandScan find_grid_commands(std::string_view command) {
  CommandScan scan;
  Finder finder(scan);
  if (!finder.scan(command, nullptr, 0, std::nullopt)) {
    scan.classification = CommandClass::Unparsable;
    scan.commands.clear();
    return scan;
  }
  scan.classification = scan.commands.empty() ? CommandClass::Local : CommandClass::Grid;
  return scan;
}

}  // namespace k8sjobs::cron
