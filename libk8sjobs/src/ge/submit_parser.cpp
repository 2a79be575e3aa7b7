#include "k8sjobs/ge/submit_parser.h"

#include <algorithm>
#include <utility>

#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/text/ascii.h"

// A hand-written word loop over the declarative option table rather than
// Boost.Program_options: Grid Engine's syntax (single-dash long names, options ending at the
// first non-option word, everything after it belonging to the program, repeatable -l/-v,
// the same options again from ~/.jsubrc, -@ files and #$ lines, each with its origin) is
// not what program_options models, and argparse's quirks that jsub users met ("-l -release"
// is a missing value) are easier to reproduce in a loop that can be read top to bottom.

namespace k8sjobs::ge {

std::string_view command_name(Mode mode) {
  switch (mode) {
    case Mode::Jsub:
      return "jsub";
    case Mode::Jstart:
      return "jstart";
    case Mode::Qcronsub:
      return "qcronsub";
    case Mode::Qsub:
      return "qsub";
  }
  return "jsub";
}

std::string OptionOrigin::where() const {
  switch (source) {
    case Source::CommandLine:
      return "command line";
    case Source::Jsubrc:
    case Source::OptionsFile:
      return file + ":" + std::to_string(line);
    case Source::ScriptDirective:
      return file + ":" + std::to_string(line) + " (#$)";
  }
  return "command line";
}

namespace {

// What a message of the command starts with: "jsub: error: " (argparse), "qsub: ".
std::string message_prefix(Mode mode) {
  return std::string(command_name(mode)) + (mode == Mode::Qsub ? ": " : ": error: ");
}

using text::is_digit;

// argparse's _negative_number_matcher: '^-\d+$|^-\d*\.\d+$'.
bool looks_like_negative_number(std::string_view word) {
  if (word.size() < 2 || word.front() != '-') return false;
  const auto rest = word.substr(1);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::all_of(rest.begin(), rest.end(), is_digit);
  const auto before = rest.substr(0, dot);
  const auto after = rest.substr(dot + 1);
  return !after.empty() && std::all_of(before.begin(), before.end(), is_digit) &&
         std::all_of(after.begin(), after.end(), is_digit);
}

// A word argparse (and so jsub) would read as an option rather than as a value or the
// program: a dash and more, not a negative number, no space.
bool is_option_word(std::string_view word) {
  return word.size() > 1 && word.front() == '-' && !looks_like_negative_number(word) &&
         word.find(' ') == std::string_view::npos;
}

std::size_t value_count(ArgKind kind) {
  switch (kind) {
    case ArgKind::None:
      return 0;
    case ArgKind::One:
      return 1;
    case ArgKind::Two:
      return 2;
  }
  return 0;
}

// What argparse said of an option given without its value: jsub declared the options it passed
// through to qsub with nargs=1 ("expected 1 argument") and its own with the default nargs
// ("expected one argument").
std::string missing_value_detail(const OptionSpec& spec) {
  switch (spec.id) {
    case OptionId::StartTime:
    case OptionId::StdinPath:
    case OptionId::Resources:
    case OptionId::MailOptions:
    case OptionId::Now:
    case OptionId::Priority:
    case OptionId::Sync:
    case OptionId::Variables:
    case OptionId::WorkingDir:
      return "expected 1 argument";
    default:
      break;
  }
  return spec.arg == ArgKind::Two ? "expected 2 arguments" : "expected one argument";
}

std::vector<std::string_view> split_list(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(separator, start);
    parts.push_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

std::string basename_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// jsub's default name: the program's file name up to its first '.', ignoring leading dots.
std::string default_job_name(const std::string& program_path) {
  const std::string base = basename_of(program_path);
  const auto start = base.find_first_not_of('.');
  if (start == std::string::npos) return base;
  return base.substr(start, base.find('.', start) - start);
}

SubmitRequest initial_request(Mode mode, const HostView& host, const SubmitSettings& settings) {
  SubmitRequest request;
  request.mode = mode;
  request.user = host.user();
  request.home = host.home();
  request.submit_cwd = host.cwd();
  request.memory_kib = settings.default_memory_kib;
  // jstart and qcronsub imply -once; Grid Engine's qsub takes any number of jobs of one name.
  request.once = mode == Mode::Jstart || mode == Mode::Qcronsub;
  request.continuous = mode == Mode::Jstart;
  request.working_dir = request.home;
  return request;
}

// Applies option occurrences, in order, onto a request; reports the first error.
class Builder {
 public:
  Builder(Mode mode, const HostView& host, const SubmitSettings& settings)
      : mode_(mode), host_(host), settings_(settings) {
    reset();
  }

  SubmitRequest& request() { return request_; }
  const std::string& directive_prefix() const { return directive_prefix_; }
  const std::vector<std::string>& unknown() const { return unknown_; }

  std::string error_prefix(const OptionOrigin& origin) const {
    std::string prefix = std::string(command_name(mode_)) + (qsub() ? ": " : ": error: ");
    if (origin.source != OptionOrigin::Source::CommandLine) prefix += origin.where() + ": ";
    return prefix;
  }

  bool qsub() const { return mode_ == Mode::Qsub; }

  SubmitError argument_error(const RawOption& option, const std::string& detail) const {
    if (qsub()) {
      // Grid Engine names the option and its value, not why (docs/options.md).
      std::string given = option.name;
      for (const auto& value : option.values) given += " " + value;
      return SubmitError{error_prefix(option.origin) + "invalid option argument \"" + given + "\"",
                         2, std::nullopt};
    }
    SubmitError error{error_prefix(option.origin) + "argument " + option.name + ": " + detail, 2,
                      std::nullopt};
    // argparse printed its usage line first, for the options on the command line.
    error.usage_first = option.origin.source == OptionOrigin::Source::CommandLine;
    return error;
  }

  std::optional<SubmitError> apply(const RawOption& option) {
    if (qsub() && (option.spec == nullptr || !known_to_qsub(*option.spec))) {
      // parse_qsub's answer to any option word it does not know, jsub's own ones included
      // (they never reached Grid Engine's qsub): the word alone, whatever follows it.
      return SubmitError{
          error_prefix(option.origin) + "invalid option argument \"" + option.name + "\"", 2,
          std::nullopt};
    }
    if (option.spec == nullptr) {
      unknown_.push_back(option.name);
      return std::nullopt;
    }
    if (option.missing_value && qsub()) {
      return SubmitError{
          error_prefix(option.origin) + "ERROR! " + option.name + " option must have argument", 2,
          std::nullopt};
    }
    if (option.missing_value) return argument_error(option, missing_value_detail(*option.spec));
    request_.origins.push_back(option.origin);
    return apply_value(option, *option.spec);
  }

  // The number of options apply() will see (sizes the request's list of origins once).
  void expect_options(std::size_t count) { request_.origins.reserve(count); }

  // Settles everything that depends on all options: memory, queue, defaults.
  void finish() {
    auto& r = request_;
    // qsub asks for no memory unless told: the site's default applies (translate::job_resources).
    std::uint64_t memory = memory_base_.value_or(qsub() ? 0 : settings_.default_memory_kib);
    for (const auto kib : h_vmem_kib_) memory = std::max(memory, kib);
    // h_data and h_rss are hard limits next to h_vmem: the job may use no more than the smallest
    // of them, and with no h_vmem (qsub's default) the smallest is the limit.
    if (!data_limit_kib_.empty()) {
      const std::uint64_t limit = *std::min_element(data_limit_kib_.begin(), data_limit_kib_.end());
      memory = memory == 0 ? limit : std::min(memory, limit);
    }
    for (const auto kib : virtual_free_kib_) {
      // jsub: a larger virtual_free raises h_vmem to 110% of it.
      if (kib > memory) {
        const std::uint64_t raised = kib * 11 / 10;
        warn("-l", "virtual_free=" + std::to_string(kib) +
                       "k is larger than h_vmem=" + std::to_string(memory) +
                       "k. Setting h_vmem=" + std::to_string(raised) + "k");
        memory = raised;
      }
    }
    r.memory_kib = memory;
    if (r.release.empty()) r.release = settings_.releases.empty() ? "" : settings_.releases.front();
    if (r.continuous) {
      if (r.requested_queue && *r.requested_queue != "continuous") {
        warn("-q", "-q " + *r.requested_queue + " is ignored: continuous jobs run on continuous");
      }
      r.queue = "continuous";
    } else {
      r.queue = r.requested_queue.value_or("task");
    }
    if (!r.mail_list_given && !qsub()) r.mail_list = {r.user + "@" + settings_.mail_domain};
  }

 private:
  void reset() {
    auto origins = std::move(request_.origins);
    request_ = initial_request(mode_, host_, settings_);
    request_.origins = std::move(origins);
    memory_base_.reset();
    h_vmem_kib_.clear();
    virtual_free_kib_.clear();
    data_limit_kib_.clear();
    soft_ = false;
    directive_prefix_ = "#$";
  }

  void warn(const std::string& option, const std::string& message) {
    SubmitWarning warning{option, message};
    if (std::find(request_.warnings.begin(), request_.warnings.end(), warning) ==
        request_.warnings.end()) {
      request_.warnings.push_back(std::move(warning));
    }
  }

  void warn_spec(const OptionSpec& spec) {
    warn(std::string(spec.name), std::string(spec.name) + ": " + std::string(spec.kubernetes));
  }

  SubmitError refusal(const RawOption& option, const OptionSpec& spec) const {
    return SubmitError{error_prefix(option.origin) + std::string(spec.kubernetes), 2, std::nullopt};
  }

  bool known_release(const std::string& release) const {
    return std::find(settings_.releases.begin(), settings_.releases.end(), release) !=
           settings_.releases.end();
  }

  std::string release_list() const {
    std::string out;
    for (const auto& release : settings_.releases) {
      if (!out.empty()) out += "|";
      out += release;
    }
    return out;
  }

  // Returns an error detail, or nullopt when the release was taken (or mapped).
  std::optional<std::string> take_release(const std::string& option, const std::string& value,
                                          const std::string& refusal_detail) {
    if (known_release(value)) {
      request_.release = value;
      request_.release_given = true;
      return std::nullopt;
    }
    if (!settings_.map_unknown_releases) return refusal_detail;
    warn(option, "release " + value + " is not available; the job runs on " +
                     (settings_.releases.empty() ? std::string("the default image")
                                                 : settings_.releases.front()));
    return std::nullopt;
  }

  std::optional<SubmitError> apply_resources(const RawOption& option) {
    // jsub required NAME=VALUE; qsub also takes a boolean resource by its name alone.
    if (auto problem = jsub_resource_list_problem(option.values[0]); problem && !qsub()) {
      return argument_error(option, *problem);
    }
    const auto list = parse_resource_list(option.values[0]);
    if (!list) return argument_error(option, list.error());
    for (const auto& resource : *list) {
      if (soft_) {
        request_.soft_resources.push_back(resource);
        warn_spec(option_spec(OptionId::Soft));
        continue;
      }
      const std::string value = resource.value.value_or("");
      if (resource.name == "h_vmem" || resource.name == "virtual_free") {
        // jsub rewrote N{k,m,g} itself (1 m = 1024 k) before qsub saw it; qsub reads Grid
        // Engine's syntax, where k m g t are powers of 1000 (`256m` is 256000000 bytes).
        const auto kib = qsub() ? parse_ge_memory_kib(value) : parse_resource_memory_kib(value);
        if (!kib) return argument_error(option, kib.error());
        (resource.name == "h_vmem" ? h_vmem_kib_ : virtual_free_kib_).push_back(*kib);
        request_.memory_given = true;
      } else if (resource.name == "h_data" || resource.name == "h_rss") {
        // Passed to Grid Engine as given (jsub rewrote only h_vmem and virtual_free), so Grid
        // Engine's units in both modes; the execution host set them as rlimits, which bound the
        // job's memory like the container's limit does.
        const auto kib = parse_ge_memory_kib(value);
        if (!kib) return argument_error(option, kib.error());
        data_limit_kib_.push_back(*kib);
        request_.memory_given = true;
      } else if (resource.name == "release") {
        if (auto problem = take_release(
                "-l", value,
                "invalid release=" + value + ". Expected release=[" + release_list() + "].")) {
          return argument_error(option, *problem);
        }
      } else if ((resource.name == "image" || resource.name == "runtime") && !value.empty()) {
        // Named images and runtimes of the site's image rules, checked when the image is chosen.
        (resource.name == "image" ? request_.requested_image : request_.requested_runtime) = value;
      } else if (resource.name == "h_rt") {
        const auto seconds = parse_ge_time_seconds(value);
        if (!seconds) return argument_error(option, seconds.error());
        request_.time_limit_seconds = *seconds;
      } else {
        request_.ignored_resources.push_back(resource);
        warn("-l", "-l " + resource.name + (resource.value ? "=" + *resource.value : "") +
                       " has no meaning on Kubernetes and is ignored");
      }
    }
    return std::nullopt;
  }

  template <class T>
  std::optional<SubmitError> take(const RawOption& option, const ValueResult<T>& parsed,
                                  T& target) {
    if (!parsed) return argument_error(option, parsed.error());
    target = *parsed;
    return std::nullopt;
  }

  template <class T>
  std::optional<SubmitError> take(const RawOption& option, const ValueResult<T>& parsed,
                                  std::optional<T>& target) {
    if (!parsed) return argument_error(option, parsed.error());
    target = *parsed;
    return std::nullopt;
  }

  std::optional<SubmitError> apply_value(const RawOption& option, const OptionSpec& spec) {
    auto& r = request_;
    const std::string value = option.values.empty() ? "" : option.values[0];
    switch (spec.id) {
      case OptionId::JobName:
        r.job_name = value;
        r.job_name_given = true;
        return std::nullopt;
      case OptionId::Memory: {
        const auto kib = parse_jsub_memory_kib(value);
        if (!kib) return argument_error(option, kib.error());
        memory_base_ = *kib;
        r.memory_given = true;
        return std::nullopt;
      }
      case OptionId::Resources:
        return apply_resources(option);
      case OptionId::Release:
        if (auto problem = take_release(
                "-release", value,
                "invalid choice: '" + value + "' (choose from '" + release_list() + "')")) {
          return argument_error(option, *problem);
        }
        return std::nullopt;
      case OptionId::Once:
        r.once = true;
        return std::nullopt;
      case OptionId::Continuous:
        r.continuous = true;
        r.once = true;
        return std::nullopt;
      case OptionId::Quiet:
        r.quiet = true;
        return std::nullopt;
      case OptionId::Stderr:
        r.stderr_flag = true;
        return std::nullopt;
      case OptionId::Umask:
        return take(option, parse_umask(value), r.umask);
      case OptionId::StdoutPath:
        r.stdout_path = value;
        return std::nullopt;
      case OptionId::StderrPath:
        r.stderr_path = value;
        return std::nullopt;
      case OptionId::Join:
        return take(option, qsub() ? parse_yes_no(value) : parse_jsub_yes_no(value), r.join);
      case OptionId::Queue:
        r.requested_queue = value;
        return std::nullopt;
      case OptionId::MailList: {
        if (qsub()) {
          // user[@host],...: a local user name is an address too.
          r.mail_list.clear();
          for (const auto part : split_list(value, ',')) {
            if (part.empty()) return argument_error(option, "");
            r.mail_list.emplace_back(part);
          }
          r.mail_list_given = true;
          return std::nullopt;
        }
        const auto list = parse_jsub_mail_list(value);
        if (!list) return argument_error(option, list.error());
        r.mail_list = *list;
        r.mail_list_given = true;
        return std::nullopt;
      }
      case OptionId::MailOptions:
        return take(option, parse_mail_options(value), r.mail_options);
      case OptionId::Cwd:
        r.working_dir_mode = WorkingDirMode::Cwd;
        r.working_dir = r.submit_cwd;
        return std::nullopt;
      case OptionId::WorkingDir:
        r.working_dir_mode = WorkingDirMode::Explicit;
        r.working_dir = absolute_path(r.submit_cwd, value);
        return std::nullopt;
      case OptionId::Hard:
        soft_ = false;
        return std::nullopt;
      case OptionId::Soft:
        soft_ = true;
        return std::nullopt;
      case OptionId::StdinPath:
        if (value == "/dev/null") return std::nullopt;
        return refusal(option, spec);
      case OptionId::Now: {
        bool now = false;
        if (auto error = take(option, parse_yes_no(value), now)) return error;
        if (now) warn_spec(spec);
        return std::nullopt;
      }
      case OptionId::Priority:
        warn_spec(spec);
        return take(option, parse_priority(value), r.priority);
      case OptionId::Sync:
        return take(option, parse_yes_no(value), r.sync);
      case OptionId::Variables: {
        const auto list = parse_variable_list(value);
        if (!list) return argument_error(option, list.error());
        for (const auto& setting : *list) {
          EnvVar var{setting.name, setting.value.value_or(""), !setting.value.has_value()};
          if (var.from_environment) var.value = host_.env(setting.name).value_or("");
          std::erase_if(r.env_vars, [&](const EnvVar& old) { return old.name == var.name; });
          r.env_vars.push_back(std::move(var));
        }
        return std::nullopt;
      }
      case OptionId::Binary:
        return take(option, qsub() ? parse_yes_no(value) : parse_jsub_yes_no(value), r.binary);
      case OptionId::ExportAll:
        r.export_all = true;
        return std::nullopt;
      case OptionId::TaskRange:
        return take(option, parse_task_range(value), r.array);
      case OptionId::TaskConcurrency:
        return take(option, parse_count(value), r.task_concurrency);
      case OptionId::Terse:
        r.terse = true;
        return std::nullopt;
      case OptionId::Rerunnable:
        warn_spec(spec);
        return take(option, parse_yes_no(value), r.rerunnable);
      case OptionId::ShellPath:
        if (!qsub()) warn_spec(spec);  // qsub runs its script with it
        r.shell = value;
        return std::nullopt;
      case OptionId::Hold:
        warn_spec(spec);
        r.hold = true;
        return std::nullopt;
      case OptionId::Account:
        warn_spec(spec);
        r.account = value;
        return std::nullopt;
      case OptionId::Project:
        warn_spec(spec);
        r.project = value;
        return std::nullopt;
      case OptionId::ParallelEnv: {
        const auto pe = parse_parallel_environment(option.values[0], option.values[1]);
        if (!pe) return argument_error(option, pe.error());
        r.parallel_environment = *pe;
        r.cpus = pe->min_slots;
        if (pe->max_slots != pe->min_slots) {
          warn("-pe", "-pe " + pe->name + " " + option.values[1] +
                          ": a container gets a fixed number of CPUs; the job runs with " +
                          std::to_string(pe->min_slots));
        }
        return std::nullopt;
      }
      case OptionId::OptionsFile:
        return std::nullopt;  // expanded in place when the words were read
      case OptionId::DirectivePrefix:
        directive_prefix_ = value;
        return std::nullopt;
      case OptionId::Clear:
        reset();
        return std::nullopt;
      case OptionId::Reservation:
      case OptionId::ShellMode:
      case OptionId::Pty: {
        bool ignored = false;
        if (auto error = take(option, parse_yes_no(value), ignored)) return error;
        warn_spec(spec);
        return std::nullopt;
      }
      case OptionId::Verify:
        r.verify = true;
        return std::nullopt;
      case OptionId::Validation:
        if (value.size() != 1 || std::string_view("ewnpv").find(value[0]) == std::string::npos) {
          return argument_error(option, "invalid option argument \"-w " + value + "\"");
        }
        warn_spec(spec);
        return std::nullopt;
      case OptionId::JobShare:
        if (value.empty() || !std::all_of(value.begin(), value.end(), is_digit)) {
          return argument_error(option, "invalid jobshare, must be an unsigned integer");
        }
        warn_spec(spec);
        return std::nullopt;
      case OptionId::Notify:
      case OptionId::Checkpoint:
      case OptionId::CheckpointInterval:
      case OptionId::Binding:
      case OptionId::Jsv:
      case OptionId::MasterQueue:
      case OptionId::ContextAdd:
      case OptionId::ContextDelete:
      case OptionId::ContextSet:
        warn_spec(spec);
        return std::nullopt;
      case OptionId::StartTime:
        return take(option, parse_start_time(value, host_.now()), r.start_time);
      case OptionId::HoldJid:
      case OptionId::HoldJidArray: {
        // job_id|job_name|pattern,...: resolved at submission against the user's jobs.
        auto& words = spec.id == OptionId::HoldJid ? r.hold_jid : r.hold_jid_ad;
        std::size_t given = 0;
        for (const auto part : split_list(value, ',')) {
          if (part.empty()) continue;
          words.emplace_back(part);
          ++given;
        }
        if (given == 0) return argument_error(option, "");
        return std::nullopt;
      }
      case OptionId::AdvanceReservation:
      case OptionId::Deadline:
        return refusal(option, spec);
    }
    return std::nullopt;
  }

  Mode mode_;
  const HostView& host_;
  const SubmitSettings& settings_;
  SubmitRequest request_;
  std::optional<std::uint64_t> memory_base_;
  std::vector<std::uint64_t> h_vmem_kib_;
  std::vector<std::uint64_t> virtual_free_kib_;
  std::vector<std::uint64_t> data_limit_kib_;  // -l h_data, h_rss
  bool soft_ = false;
  std::string directive_prefix_ = "#$";
  std::vector<std::string> unknown_;
};

constexpr int kMaxOptionsFileDepth = 8;
constexpr std::size_t kMaxOptionsFileBytes = 1 << 20;
// qsub's script travels in the container's environment (ARCHITECTURE.md); Linux takes at most
// 128 KiB in one environment string (MAX_ARG_STRLEN), name and launcher included.
constexpr std::size_t kMaxScriptBytes = 96 * 1024;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// Reads the options of one source into `out`, expanding -@ files in place.
class OptionCollector {
 public:
  OptionCollector(Mode mode, const HostView& host) : mode_(mode), host_(host) {}

  std::optional<SubmitError> add_words(const std::vector<std::string>& words,
                                       OptionOrigin::Source source, const std::string& file,
                                       int line, std::vector<RawOption>& out, int depth) {
    auto split = split_argv(words, source, file, line);
    if (split.program) {
      OptionOrigin origin{"", {}, source, file, line};
      return SubmitError{message_prefix(mode_) + origin.where() + ": unexpected word '" +
                             *split.program + "': only options may appear here",
                         2, std::nullopt};
    }
    return add_options(std::move(split.options), out, depth);
  }

  std::optional<SubmitError> add_options(std::vector<RawOption> options,
                                         std::vector<RawOption>& out, int depth) {
    for (auto& option : options) {
      const bool is_file = option.spec != nullptr && option.spec->id == OptionId::OptionsFile &&
                           !option.missing_value;
      const std::string path = is_file ? absolute_path(host_.cwd(), option.values[0]) : "";
      out.push_back(std::move(option));
      if (!is_file) continue;
      if (depth >= kMaxOptionsFileDepth) {
        return SubmitError{message_prefix(mode_) + path + ": -@ files nested too deeply", 2,
                           std::nullopt};
      }
      const auto text = host_.read_file(path, kMaxOptionsFileBytes);
      if (!text) {
        return SubmitError{
            message_prefix(mode_) + "error opening " + path + ": " +
                (host_.exists(path) ? "Permission denied" : "No such file or directory"),
            2, std::nullopt};
      }
      if (auto error =
              add_file_lines(*text, path, OptionOrigin::Source::OptionsFile, out, depth + 1)) {
        return error;
      }
    }
    return std::nullopt;
  }

  std::optional<SubmitError> add_file_lines(std::string_view text, const std::string& path,
                                            OptionOrigin::Source source,
                                            std::vector<RawOption>& out, int depth) {
    int number = 0;
    for (const auto line : lines_of(text)) {
      ++number;
      const auto words = split_line_words(line);
      if (!words) {
        return SubmitError{
            message_prefix(mode_) + path + ":" + std::to_string(number) + ": unbalanced quote", 2,
            std::nullopt};
      }
      if (words->empty()) continue;
      if (auto error = add_words(*words, source, path, number, out, depth)) return error;
    }
    return std::nullopt;
  }

 private:
  Mode mode_;
  const HostView& host_;
};

struct ProgramLookup {
  std::optional<std::string> path;  // nullopt: not found
};

ProgramLookup look_up_program(const std::string& program, const HostView& host,
                              const SubmitSettings& settings) {
  const std::string cwd = host.cwd();
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos) {
    const auto path = absolute_path(cwd, program);
    if (settings.check_program && !host.exists(path)) return {};
    return {path};
  }
  const std::string search = host.env("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  for (const auto dir : split_list(search, ':')) {
    const std::string candidate =
        absolute_path(cwd, (dir.empty() ? std::string(".") : std::string(dir)) + "/" + program);
    if (host.is_executable_file(candidate)) return {candidate};
  }
  // Then the current directory, as jsub did (cron started in $HOME).
  const auto local = absolute_path(cwd, program);
  if (host.exists(local)) return {local};
  if (!settings.check_program) return {program};  // left to the container's PATH
  return {};
}

// qsub's interpreter: -S, else the script's #! line (the interpreter and at most one argument,
// as the kernel reads it), else /bin/sh.
std::vector<std::string> interpreter_of(const std::optional<std::string>& shell,
                                        std::string_view script) {
  if (shell && !shell->empty()) return {*shell};
  if (script.starts_with("#!")) {
    auto trim = [](std::string_view text) {
      const auto start = text.find_first_not_of(" \t");
      if (start == std::string_view::npos) return std::string_view();
      const auto end = text.find_last_not_of(" \t\r");
      return text.substr(start, end - start + 1);
    };
    const std::string_view line = trim(script.substr(2, script.find('\n') - 2));
    const auto blank = line.find_first_of(" \t");
    const std::string_view word = line.substr(0, blank);
    const std::string_view rest =
        blank == std::string_view::npos ? std::string_view() : trim(line.substr(blank));
    if (!word.empty()) {
      if (rest.empty()) return {std::string(word)};
      return {std::string(word), std::string(rest)};
    }
  }
  return {"/bin/sh"};
}

// qsub: the options of the command line, then the script's #$ lines under them (the command
// line wins), Grid Engine's defaults. One table, one Builder: only the order and the words
// around them differ from jsub.
Expected<SubmitRequest, SubmitError> parse_qsub(const std::vector<std::string>& argv,
                                                const HostView& host,
                                                const SubmitSettings& settings) {
  OptionCollector collector(Mode::Qsub, host);
  auto split = split_argv(argv);
  std::vector<RawOption> command_line;
  if (auto error = collector.add_options(std::move(split.options), command_line, 0)) {
    return unexpected(std::move(*error));
  }
  // The command line is checked first, as qsub did before it read the script; what it says of
  // -b and -C decides how the script is read.
  {
    Builder check(Mode::Qsub, host, settings);
    for (const auto& option : command_line) {
      if (auto error = check.apply(option)) return unexpected(std::move(*error));
    }
  }
  bool binary = false;
  std::string prefix = "#$";
  for (const auto& option : command_line) {
    if (option.spec == nullptr || option.missing_value) continue;
    if (option.spec->id == OptionId::Binary) {
      const auto yes = parse_yes_no(option.values[0]);
      binary = yes && *yes;
    } else if (option.spec->id == OptionId::DirectivePrefix) {
      prefix = option.values[0];
    } else if (option.spec->id == OptionId::Clear) {
      binary = false;
      prefix = "#$";
    }
  }

  std::string program;
  std::string resolved;
  std::optional<std::string> script;
  bool unread_script = false;
  auto unreadable = [](const std::string& what, const std::string& why) {
    return SubmitError{
        "Unable to read script file because of error: error opening " + what + ": " + why, 1,
        std::nullopt};
  };
  if (binary) {
    if (!split.program) {
      return unexpected(SubmitError{"qsub: -b y requires a command", 2, std::nullopt});
    }
    program = *split.program;
    const auto found = look_up_program(program, host, settings);
    if (!found.path) {
      return unexpected(
          SubmitError{"qsub: command \"" + program + "\" not found", 2, std::nullopt});
    }
    resolved = *found.path;
  } else {
    if (split.program) {
      program = *split.program;
      resolved = absolute_path(host.cwd(), program);
      if (host.is_directory(resolved)) return unexpected(unreadable(program, "Is a directory"));
      script = host.read_file(resolved, kMaxScriptBytes + 1);
      if (!script && !settings.check_program) {
        // Checked away from the submit host (k8sjobs-migrate): the script is not here to read.
        // The job then runs the file as it is when the job starts.
        unread_script = true;
      } else if (!script) {
        return unexpected(unreadable(
            program, host.exists(resolved) ? "Permission denied" : "No such file or directory"));
      }
    } else {
      program = "STDIN";
      resolved = "STDIN";
      script = host.read_stdin(kMaxScriptBytes + 1);
      if (!script) return unexpected(unreadable("STDIN", "cannot read standard input"));
    }
    if (unread_script) {
      // Nothing to check.
    } else if (script->size() > kMaxScriptBytes) {
      return unexpected(SubmitError{"qsub: the script " + program + " is larger than " +
                                        std::to_string(kMaxScriptBytes / 1024) +
                                        " KiB, the most k8sjobs carries into a job",
                                    1, std::nullopt});
    }
    if (script && script->find('\0') != std::string::npos) {
      return unexpected(SubmitError{
          "qsub: the script " + program +
              " holds a NUL byte; a job script must be text (use -b y to run a program)",
          1, std::nullopt});
    }
  }

  // #$ lines, anywhere in the script (Grid Engine read them all), before the command line.
  std::vector<RawOption> options;
  if (script && !prefix.empty()) {
    int number = 0;
    for (const auto line : lines_of(*script)) {
      ++number;
      if (line.substr(0, prefix.size()) != prefix) continue;
      const auto words = split_line_words(line.substr(prefix.size()));
      if (!words) {
        return unexpected(SubmitError{
            "qsub: " + resolved + ":" + std::to_string(number) + " (#$): unbalanced quote", 2,
            std::nullopt});
      }
      if (auto error = collector.add_words(*words, OptionOrigin::Source::ScriptDirective, resolved,
                                           number, options, 0)) {
        return unexpected(std::move(*error));
      }
    }
  }
  const bool has_directives = !options.empty();
  options.insert(options.end(), std::make_move_iterator(command_line.begin()),
                 std::make_move_iterator(command_line.end()));
  Builder builder(Mode::Qsub, host, settings);
  builder.expect_options(options.size());
  for (const auto& option : options) {
    if (auto error = builder.apply(option)) return unexpected(std::move(*error));
  }
  builder.finish();
  auto& request = builder.request();
  if (has_directives) request.directives_file = resolved;
  request.program = program;
  request.resolved_program = resolved;
  request.program_args = std::move(split.program_args);
  if (script) {
    request.interpreter = interpreter_of(request.shell, *script);
    request.script = std::move(script);
  } else if (unread_script) {
    request.warnings.push_back(
        {"qsub", "the script " + program +
                     " could not be read here; the job runs the file as it is when it starts"});
  }
  // Grid Engine's name: the whole basename of the script or the command, else STDIN.
  if (!request.job_name_given) request.job_name = basename_of(program);
  if (const auto problem = job_name_problem(request.job_name)) {
    if (problem->found_by_qsub) return unexpected(SubmitError{problem->message, 2, std::nullopt});
    return unexpected(
        SubmitError{"Unable to run job: " + problem->message + "\nExiting.", 1, std::nullopt});
  }
  return std::move(request);
}

}  // namespace

std::optional<std::vector<std::string>> split_line_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == '\'') {
      const auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      word.append(line.substr(i + 1, end - i - 1));
      in_word = true;
      i = end;
    } else if (c == '"') {
      in_word = true;
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() &&
            std::string_view("\\\"$`").find(line[j + 1]) != std::string_view::npos) {
          ++j;
        }
        word += line[j];
      }
      if (j >= line.size()) return std::nullopt;
      i = j;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

SplitArgv split_argv(const std::vector<std::string>& words, OptionOrigin::Source source,
                     const std::string& file, int line) {
  SplitArgv out;
  // At most one option per word that starts with '-': one allocation for the list.
  out.options.reserve(static_cast<std::size_t>(std::count_if(
      words.begin(), words.end(), [](const std::string& word) { return word.starts_with('-'); })));
  std::size_t i = 0;
  while (i < words.size()) {
    const std::string& word = words[i];
    if (word == "--") {
      ++i;
      break;
    }
    if (!is_option_word(word)) break;
    RawOption option;
    option.spec = find_option(word);
    option.name = word;
    ++i;
    if (option.spec != nullptr) {
      for (std::size_t k = 0; k < value_count(option.spec->arg); ++k) {
        if (i < words.size() && !is_option_word(words[i]) && words[i] != "--") {
          option.values.push_back(words[i++]);
        } else {
          option.missing_value = true;
          break;
        }
      }
    }
    option.origin = OptionOrigin{word, option.values, source, file, line};
    out.options.push_back(std::move(option));
  }
  if (i < words.size()) {
    out.program = words[i];
    out.program_args.assign(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
  }
  return out;
}

Expected<SubmitRequest, SubmitError> parse_submit(Mode mode, const std::vector<std::string>& argv,
                                                  const HostView& host,
                                                  const SubmitSettings& settings) {
  if (mode == Mode::Qsub) return parse_qsub(argv, host, settings);
  const std::string command(command_name(mode));
  OptionCollector collector(mode, host);
  Builder builder(mode, host, settings);

  // 1. ~/.jsubrc (or $JOBUTILS_JSUBRC), then the command line: one argparse run in jsub.
  std::vector<RawOption> options;
  const std::string jsubrc = host.env("JOBUTILS_JSUBRC").value_or(host.home() + "/.jsubrc");
  if (const auto text = host.read_file(jsubrc, kMaxOptionsFileBytes)) {
    if (auto error =
            collector.add_file_lines(*text, jsubrc, OptionOrigin::Source::Jsubrc, options, 0)) {
      return unexpected(std::move(*error));
    }
  }
  auto split = split_argv(argv);
  options.reserve(options.size() + split.options.size());
  if (auto error = collector.add_options(std::move(split.options), options, 0)) {
    return unexpected(std::move(*error));
  }
  builder.expect_options(options.size());
  for (const auto& option : options) {
    if (auto error = builder.apply(option)) return unexpected(std::move(*error));
  }
  // argparse's order: the program is looked up as it is read; what is missing, then what is
  // unknown, is only said at the end.
  auto usage_error = [&](const std::string& detail) {
    return SubmitError{command + ": error: " + detail, 2, std::nullopt, true};
  };
  auto& request = builder.request();
  if (split.program) {
    // 2. The program: $PATH, then the current directory.
    request.program = *split.program;
    request.program_args = std::move(split.program_args);
    const auto found = look_up_program(request.program, host, settings);
    if (!found.path) {
      return unexpected(
          usage_error("argument program: Program '" + request.program + "' not found."));
    }
    request.resolved_program = *found.path;
  }
  if (!split.program) {
    return unexpected(usage_error("the following arguments are required: program, args..."));
  }
  if (!builder.unknown().empty()) {
    std::string list;
    for (const auto& name : builder.unknown()) list += (list.empty() ? "" : " ") + name;
    return unexpected(usage_error("unrecognized arguments: " + list));
  }

  // 3. #$ lines at the top of the script win over everything else. Only text files are read.
  const std::string prefix = builder.directive_prefix();
  if (!prefix.empty() && request.resolved_program.starts_with('/')) {
    const auto text = host.read_text_file(request.resolved_program, settings.directive_scan_bytes);
    if (text) {
      std::vector<RawOption> directives;
      int number = 0;
      for (const auto line : lines_of(*text)) {
        ++number;
        if (!line.empty() && line.front() != '#') break;  // the first line of code ends the header
        if (line.substr(0, prefix.size()) != prefix) continue;
        const auto words = split_line_words(line.substr(prefix.size()));
        if (!words) {
          return unexpected(SubmitError{command + ": error: " + request.resolved_program + ":" +
                                            std::to_string(number) + " (#$): unbalanced quote",
                                        2, std::nullopt});
        }
        if (auto error = collector.add_words(*words, OptionOrigin::Source::ScriptDirective,
                                             request.resolved_program, number, directives, 0)) {
          return unexpected(std::move(*error));
        }
      }
      if (!directives.empty()) request.directives_file = request.resolved_program;
      for (const auto& option : directives) {
        if (auto error = builder.apply(option)) return unexpected(std::move(*error));
      }
      if (!builder.unknown().empty()) {
        std::string list;
        for (const auto& name : builder.unknown()) list += (list.empty() ? "" : " ") + name;
        return unexpected(SubmitError{command + ": error: " + request.resolved_program +
                                          " (#$): unrecognized arguments: " + list,
                                      2, std::nullopt});
      }
    }
  }

  builder.finish();
  if (!request.job_name_given) request.job_name = default_job_name(request.resolved_program);

  // Errors from here on went to the job's error file in jsub, unless -stderr.
  std::optional<std::string> error_file;
  if (!request.stderr_flag) {
    const std::string raw =
        request.join ? request.stdout_path.value_or(request.home + "/" + request.job_name + ".out")
                     : request.stderr_path.value_or(request.home + "/" + request.job_name + ".err");
    error_file = absolute_path(request.submit_cwd, raw);
  }

  if (settings.check_program && !host.is_executable_file(request.resolved_program)) {
    return unexpected(SubmitError{
        "[" + host.ctime_now() + "] " + request.resolved_program + ": not an executable file", 1,
        error_file});
  }

  // 4. What qsub / qmaster would have refused.
  if (const auto problem = job_name_problem(request.job_name)) {
    if (problem->found_by_qsub) return unexpected(SubmitError{problem->message, 2, error_file});
    return unexpected(
        SubmitError{"Unable to run job: " + problem->message + "\nExiting.", 1, error_file});
  }
  return std::move(request);
}

}  // namespace k8sjobs::ge
