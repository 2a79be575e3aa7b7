#pragma once
// jsub / jstart / qcronsub command lines into a SubmitRequest, the way the last Toolforge
// jsub read them: ~/.jsubrc, then the command line, then `#$` lines at the top of the
// script (later sources win); options end at the first word that is not an option.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/ge/option_table.h"
#include "k8sjobs/ge/submit_request.h"

namespace k8sjobs::ge {

// What the command prints and exits with when the submission is refused. `message` is
// complete, e.g. "jsub: error: argument -l: invalid release=trusty. Expected release=[buster]."
// (it may span lines: "Unable to run job: ...\nExiting.").
struct SubmitError {
  std::string message;
  int exit_code = 2;
  // jsub without -stderr wrote errors found after reading the options into the job's error
  // file (so cron sent no mail): the path it would have appended `message` to. nullopt for
  // option errors, which always went to stderr.
  std::optional<std::string> error_file;
  // An argparse error of the command line: jsub printed its usage line before the message.
  bool usage_first = false;
  bool operator==(const SubmitError&) const = default;
};

struct SubmitSettings {
  // Releases jsub accepts in -release / -l release=; the first is the default.
  std::vector<std::string> releases = {"buster"};
  // false (the last jsub): other releases are refused with jsub's message. true: they are
  // accepted with a warning and the job runs on the default release.
  bool map_unknown_releases = false;
  // Site setting check_program: false skips the program's existence/executable checks.
  bool check_program = true;
  std::string mail_domain = "toolforge.org";
  std::uint64_t default_memory_kib = 524288;
  // How much of the script is read for #$ lines and the text-file test.
  std::size_t directive_scan_bytes = 65536;
};

// One option occurrence as split from the words, before its value is checked.
struct RawOption {
  const OptionSpec* spec = nullptr;  // nullptr: an unknown option (jsub: "unrecognized")
  std::string name;                  // as typed
  std::vector<std::string> values;
  bool missing_value = false;  // argparse's "expected 1 argument"
  OptionOrigin origin;
};

// Our options versus the job's words. Options end at the first word that is not an option,
// or after "--"; that word is the program and all later words are its arguments, unchanged
// (even "-e" or "--"). A value that looks like an option is not taken as a value (argparse:
// "-l -release buster" is "-l" with no value), except negative numbers and words with spaces.
struct SplitArgv {
  std::vector<RawOption> options;
  std::optional<std::string> program;
  std::vector<std::string> program_args;
};
SplitArgv split_argv(const std::vector<std::string>& words,
                     OptionOrigin::Source source = OptionOrigin::Source::CommandLine,
                     const std::string& file = "", int line = 0);

// Words of one .jsubrc / -@ / #$ line: blanks separate words, '...' and "..." quote, a
// backslash escapes, a word starting with '#' starts a comment. nullopt: unbalanced quote.
std::optional<std::vector<std::string>> split_line_words(std::string_view line);

// argv without argv[0]. The HostView answers every question about files, the environment,
// the user and the time.
Expected<SubmitRequest, SubmitError> parse_submit(Mode mode, const std::vector<std::string>& argv,
                                                  const HostView& host,
                                                  const SubmitSettings& settings = {});

}  // namespace k8sjobs::ge
