#include "k8sjobs/migrate/check.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "k8sjobs/cron/command_finder.h"
#include "k8sjobs/ge/option_table.h"
#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/translate/image_choice.h"
#include "k8sjobs/translate/job_environment.h"
#include "k8sjobs/translate/script_interpreters.h"

namespace k8sjobs::migrate {

using nlohmann::json;

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Ok:
      return "ok";
    case Verdict::Local:
      return "local";
    case Verdict::Changes:
      return "changes";
    case Verdict::Unsupported:
      return "unsupported";
    case Verdict::Error:
      return "error";
  }
  return "error";
}

namespace {

// A crontab repeats the same programs, ~/.jsubrc and scripts on many lines: ask the file
// system once per path (a 100,000-line crontab is checked in well under a second).
class CachingFiles final : public ge::HostView {
 public:
  explicit CachingFiles(const ge::HostView& base) : base_(base) {}

  // A path in a directory that is not there names nothing: one question per directory, not
  // one per script (a crontab checked away from the cron host has thousands of them).
  bool exists(const std::string& path) const override {
    return cached(exists_, path, [&] { return !in_missing_directory(path) && base_.exists(path); });
  }
  bool is_directory(const std::string& path) const override {
    return cached(directory_, path, [&] { return base_.is_directory(path); });
  }
  bool is_executable_file(const std::string& path) const override {
    return cached(executable_, path,
                  [&] { return !in_missing_directory(path) && base_.is_executable_file(path); });
  }
  std::optional<std::string> read_file(const std::string& path,
                                       std::size_t max_bytes) const override {
    auto key = path + '\0' + std::to_string(max_bytes);
    auto found = contents_.find(key);
    if (found != contents_.end()) return found->second;
    std::optional<std::string> text;
    if (!in_missing_directory(path)) text = base_.read_file(path, max_bytes);
    return contents_.emplace(key, std::move(text)).first->second;
  }
  std::optional<std::string> read_text_file(const std::string& path,
                                            std::size_t max_bytes) const override {
    auto key = path + '\0' + std::to_string(max_bytes);
    auto found = texts_.find(key);
    if (found != texts_.end()) return found->second;
    std::optional<std::string> text;
    if (!in_missing_directory(path)) text = base_.read_text_file(path, max_bytes);
    return texts_.emplace(key, std::move(text)).first->second;
  }
  std::string cwd() const override { return base_.cwd(); }
  std::string home() const override { return base_.home(); }
  std::string user() const override { return base_.user(); }
  std::optional<std::string> env(const std::string& name) const override { return base_.env(name); }
  std::string ctime_now() const override {
    if (!ctime_) ctime_ = base_.ctime_now();
    return *ctime_;
  }

 private:
  template <class F>
  static bool cached(std::unordered_map<std::string, bool>& cache, const std::string& path, F ask) {
    auto found = cache.find(path);
    if (found != cache.end()) return found->second;
    bool answer = ask();
    cache.emplace(path, answer);
    return answer;
  }

  // An absolute path whose directory is not a directory here.
  bool in_missing_directory(const std::string& path) const {
    const std::size_t slash = path.rfind('/');
    if (path.empty() || path.front() != '/' || slash == 0) return false;
    return !is_directory(path.substr(0, slash));
  }

  const ge::HostView& base_;
  mutable std::unordered_map<std::string, bool> exists_;
  mutable std::unordered_map<std::string, bool> directory_;
  mutable std::unordered_map<std::string, bool> executable_;
  mutable std::unordered_map<std::string, std::optional<std::string>> contents_;
  mutable std::unordered_map<std::string, std::optional<std::string>> texts_;
  mutable std::optional<std::string> ctime_;
};

// Schedule::min_interval walks the 400-year calendar cycle (about a millisecond); a crontab
// repeats few schedules, so each distinct text is measured once.
class IntervalCache {
 public:
  std::chrono::minutes min_interval(const cron::Schedule& schedule) {
    auto found = intervals_.find(schedule.text());
    if (found != intervals_.end()) return found->second;
    return intervals_.emplace(schedule.text(), schedule.min_interval()).first->second;
  }

 private:
  std::unordered_map<std::string, std::chrono::minutes> intervals_;
};

// A command's check depends only on its words, the crontab settings in effect and (cached)
// files: lines that repeat a command with another schedule are checked once.
class CommandMemo {
 public:
  const CommandCheck* find(const std::string& key) const {
    auto found = checks_.find(key);
    return found == checks_.end() ? nullptr : &found->second;
  }
  // Keeps the check of a command seen before (by the hash of its key): a command met once is
  // not copied into the memo, so a crontab whose commands all differ pays nothing for it.
  void add(std::string key, const CommandCheck& check) {
    if (seen_.size() >= kMaxSeen) seen_.clear();  // bounded, like the memo
    if (seen_.insert(std::hash<std::string>{}(key)).second) return;
    if (checks_.size() >= kMaxChecks) checks_.clear();
    checks_.emplace(std::move(key), check);
  }
  // cron's environment for a crontab settings snapshot, built once per snapshot.
  const std::map<std::string, std::string>& environment(
      const std::shared_ptr<const std::map<std::string, std::string>>& settings_in_effect,
      const CheckSettings& settings) {
    if (environment_source_ != settings_in_effect) {
      environment_source_ = settings_in_effect;  // held, so its address is never reused
      environment_ = cron_environment(*settings_in_effect, settings);
    }
    return environment_;
  }

 private:
  static constexpr std::size_t kMaxChecks = 4096;
  static constexpr std::size_t kMaxSeen = 1 << 20;
  std::unordered_map<std::string, CommandCheck> checks_;
  std::unordered_set<std::size_t> seen_;
  std::shared_ptr<const std::map<std::string, std::string>> environment_source_;
  std::map<std::string, std::string> environment_;
};

std::string memo_key(const cron::GridCommand& grid, const void* settings_snapshot) {
  std::string key = grid.name;
  key += '\0';
  key += std::to_string(reinterpret_cast<std::uintptr_t>(settings_snapshot));
  key += '\0';
  key += grid.cd_directory.value_or("\x01");  // none differs from every directory
  for (const auto& assignment : grid.assignments)
    key += '\0' + assignment.name + '=' + assignment.value;
  key += '\0';
  for (const auto& word : grid.words) {
    key += '\0';
    key += word.value;
    key += word.tilde ? '~' : '-';
    key += word.expansion ? '$' : '-';
  }
  return key;
}

// The host as cron set it up for one command: the user's home, the directory of its `cd`,
// cron's environment; files from the underlying view.
class CronCommandHost final : public ge::HostView {
 public:
  CronCommandHost(const ge::HostView& files, const CheckSettings& settings, std::string cwd,
                  const std::map<std::string, std::string>& environment)
      : files_(files), settings_(settings), cwd_(std::move(cwd)), environment_(environment) {}

  bool exists(const std::string& path) const override { return files_.exists(path); }
  bool is_directory(const std::string& path) const override { return files_.is_directory(path); }
  bool is_executable_file(const std::string& path) const override {
    return files_.is_executable_file(path);
  }
  std::optional<std::string> read_file(const std::string& path,
                                       std::size_t max_bytes) const override {
    return files_.read_file(path, max_bytes);
  }
  std::optional<std::string> read_text_file(const std::string& path,
                                            std::size_t max_bytes) const override {
    return files_.read_text_file(path, max_bytes);
  }
  std::string cwd() const override { return cwd_; }
  std::string home() const override { return settings_.home; }
  std::string user() const override { return settings_.user; }
  std::optional<std::string> env(const std::string& name) const override {
    auto found = environment_.find(name);
    if (found == environment_.end()) return std::nullopt;
    return found->second;
  }
  std::string ctime_now() const override { return files_.ctime_now(); }

 private:
  const ge::HostView& files_;
  const CheckSettings& settings_;
  std::string cwd_;
  const std::map<std::string, std::string>& environment_;
};

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// $NAME and ${NAME} from the environment; anything else after `$` stays as typed.
std::string expand_variables(std::string_view text,
                             const std::map<std::string, std::string>& environment) {
  std::string out;
  out.reserve(text.size());
  auto lookup = [&](const std::string& name) {
    auto found = environment.find(name);
    return found == environment.end() ? std::string() : found->second;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    if (text[i + 1] == '{') {
      auto close = text.find('}', i + 2);
      std::string_view name =
          close == std::string_view::npos ? std::string_view() : text.substr(i + 2, close - i - 2);
      if (!name.empty() && is_name_start(name.front()) &&
          std::all_of(name.begin(), name.end(), is_name_char)) {
        out += lookup(std::string(name));
        i = close;
        continue;
      }
    } else if (is_name_start(text[i + 1])) {
      std::size_t end = i + 1;
      while (end < text.size() && is_name_char(text[end])) ++end;
      out += lookup(std::string(text.substr(i + 1, end - i - 1)));
      i = end - 1;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string expand_tilde(std::string text, const std::string& home) {
  if (text == "~") return home;
  if (text.rfind("~/", 0) == 0) return home + text.substr(1);
  return text;
}

ge::Mode mode_for(const std::string& command) {
  if (command == "jstart") return ge::Mode::Jstart;
  if (command == "qcronsub") return ge::Mode::Qcronsub;
  if (command == "qsub") return ge::Mode::Qsub;
  return ge::Mode::Jsub;
}

std::string instead_for(ge::OptionId id) {
  switch (id) {
    case ge::OptionId::StartTime:
      return "a crontab line (or CronJob schedule) at the start time, or sleep at the start of "
             "the job";
    case ge::OptionId::StdinPath:
      return "-i /dev/null, or read the file inside the job (sh -c 'prog < file')";
    case ge::OptionId::HoldJid:
      return "run the steps one after the other in one script, or submit the next job at the "
             "end of the previous one";
    case ge::OptionId::HoldJidArray:
      return "one array job whose tasks run both steps in turn";
    case ge::OptionId::Deadline:
      return "drop -dl (-l h_rt=<seconds> limits the run time)";
    default:
      return "drop " + std::string(ge::option_spec(id).name);
  }
}

// One line for a table cell: newlines of multi-line messages become "; ".
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "; ";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string every(std::chrono::minutes interval) {
  auto count = interval.count();
  if (count == 1) return "every minute";
  if (count == 60) return "every hour";
  if (count % 60 == 0) return "every " + std::to_string(count / 60) + " hours";
  return "every " + std::to_string(count) + " minutes";
}

// translate::admit's refusal in the words of a table cell: without jsub's frame around it.
std::string translation_refusal(std::string message) {
  const std::string prefix = "Unable to run job: ";
  const std::string suffix = "\nExiting.";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  if (message.size() >= suffix.size() &&
      message.compare(message.size() - suffix.size(), suffix.size(), suffix) == 0)
    message.erase(message.size() - suffix.size());
  return message;
}

CommandCheck check_command(const cron::GridCommand& grid, const ge::HostView& files,
                           const CheckSettings& settings,
                           const std::map<std::string, std::string>& environment) {
  CommandCheck check;
  check.command = grid.name;
  const std::string& home = settings.home;
  auto home_env = environment.find("HOME");
  const std::string cron_dir = home_env != environment.end() ? home_env->second : home;
  for (const auto& word : grid.words) check.argv.push_back(expand_word(word, environment, home));

  // k8sjobs provides qdel and jstop with Grid Engine's and Toolforge's syntax.
  if (grid.name == "qdel" || grid.name == "jstop") return check;

  std::string cwd = cron_dir;
  if (grid.cd_directory) {
    cwd = ge::absolute_path(cron_dir,
                            expand_tilde(expand_variables(*grid.cd_directory, environment), home));
  }
  // `A=b jsub ...`: the command's own environment (a copy only then).
  std::map<std::string, std::string> with_assignments;
  if (!grid.assignments.empty()) {
    with_assignments = environment;
    for (const auto& assignment : grid.assignments)
      with_assignments[assignment.name] = expand_variables(assignment.value, environment);
  }
  CronCommandHost host(files, settings, cwd,
                       grid.assignments.empty() ? environment : with_assignments);

  check.mode = mode_for(grid.name);
  auto parsed = ge::parse_submit(check.mode, check.argv, host, settings.submit);
  if (!parsed) {
    check.error = one_line(parsed.error().message);
    // Refused options say what to use instead; other failures are jsub's own errors.
    auto split = ge::split_argv(check.argv);
    for (const auto& option : split.options) {
      if (option.spec == nullptr || option.spec->disposition != ge::Disposition::Refused) continue;
      // The table's text is "<what>; <advice>" for some options: show each part once.
      std::string text(option.spec->kubernetes);
      auto advice = text.find("; ");
      if (advice == std::string::npos) {
        check.refusals.push_back({option.name, text, instead_for(option.spec->id)});
      } else {
        check.refusals.push_back({option.name, text.substr(0, advice), text.substr(advice + 2)});
      }
    }
    check.verdict = check.refusals.empty() ? Verdict::Error : Verdict::Unsupported;
    return check;
  }
  if (parsed->start_time) {
    // jsub -a waits for k8sjobs-controller; a CronJob's Jobs cannot wait for a fixed date.
    const std::string what = "a CronJob cannot wait for a fixed start time";
    check.error = "-a: " + what;
    check.refusals.push_back({"-a", what, instead_for(ge::OptionId::StartTime)});
    check.verdict = Verdict::Unsupported;
    return check;
  }
  if (!parsed->hold_jid.empty() || !parsed->hold_jid_ad.empty()) {
    // jsub -hold_jid names jobs that exist when it runs; a CronJob creates its Jobs itself.
    const bool array = parsed->hold_jid.empty();
    const std::string option = array ? "-hold_jid_ad" : "-hold_jid";
    const std::string what = "a CronJob's Jobs cannot wait for other jobs";
    check.error = option + ": " + what;
    check.refusals.push_back(
        {option, what, instead_for(array ? ge::OptionId::HoldJidArray : ge::OptionId::HoldJid)});
    check.verdict = Verdict::Unsupported;
    return check;
  }
  for (const auto& warning : parsed->warnings) {
    const ge::OptionSpec* spec = ge::find_option(warning.option);
    check.changes.push_back(
        {warning.option, warning.message, spec ? std::string(spec->kubernetes) : std::string()});
  }
  check.verdict = check.changes.empty() ? Verdict::Ok : Verdict::Changes;
  if (settings.site != nullptr) {
    // What the translation jsub runs refuses (site limits) is refused here too; building the
    // object itself is not needed for the verdict (translate::admit is its first step).
    // The program's #! line and words choose its image, as jsub reads them at submission.
    std::optional<std::string> program_text;
    if (const auto path = translate::image_script_path(*parsed)) {
      program_text = host.read_text_file(*path, translate::kScriptScanBytes);
    }
    auto workload = translate::admit(*parsed, *settings.site, program_text);
    if (workload) {
      check.image = workload->image;
      check.image_name = workload->image_choice.name;
      check.image_rule = workload->image_choice.summary();
      check.script_text = std::move(program_text);
      if (!workload->image_choice.warning.empty()) {
        // On the grid every host had every interpreter; no one image has what this one needs.
        check.changes.push_back(
            {"image", workload->image_choice.warning,
             "the job runs in the image of images.everything: give it -l image= or -l runtime="});
        check.verdict = std::max(check.verdict, Verdict::Changes);
      }
    }
    if (!workload) {
      check.verdict = Verdict::Unsupported;
      check.error = one_line(workload.error().message);
      check.refusals.push_back({"site limit", translation_refusal(workload.error().message),
                                "request at most what the site allows (see docs/config.md), or ask "
                                "the administrators to raise the limit"});
    }
  }
  check.request = std::make_shared<const ge::SubmitRequest>(std::move(*parsed));
  return check;
}

void add_hygiene(LineCheck& line, const CheckSettings& settings, IntervalCache& intervals) {
  bool submits = false;
  bool without_once = false;
  bool keep_alive = false;
  for (const auto& command : line.commands) {
    if (command.command == "qdel" || command.command == "jstop") continue;
    submits = true;
    if (command.request) {
      if (!command.request->once) without_once = true;
      if (command.request->continuous) keep_alive = true;
    }
  }
  if (!submits || !line.schedule) return;
  const cron::Schedule& schedule = *line.schedule;
  if (schedule.is_reboot()) {
    line.hygiene.push_back(
        {"reboot",
         "@reboot starts the job when the cron host boots; Kubernetes has no such event: start "
         "a continuous job once with jstart (its Deployment keeps it running) and drop the line"});
    return;
  }
  auto interval = intervals.min_interval(schedule);
  if (interval == std::chrono::minutes::max()) {
    line.hygiene.push_back({"never-runs", "the schedule never matches a date: the job never runs"});
    return;
  }
  if (interval < settings.min_grid_interval) {
    line.hygiene.push_back({"frequent", "runs " + every(interval) +
                                            "; grid jobs should run at most every " +
                                            std::to_string(settings.min_grid_interval.count()) +
                                            " minutes (the Toolforge rule)"});
  }
  if (without_once && interval <= settings.frequent_without_once) {
    line.hygiene.push_back(
        {"no-once", "runs " + every(interval) +
                        " without -once: a run that lasts longer overlaps the next one; add "
                        "-once (as a CronJob: concurrencyPolicy Forbid)"});
  }
  if (keep_alive) {
    line.hygiene.push_back(
        {"keep-alive",
         "jstart from cron only restarts the job when it is not running; on Kubernetes run "
         "jstart once: its Deployment restarts the job by itself and this line can go"});
  }
  if (auto caveat = schedule.kubernetes_caveat()) {
    line.hygiene.push_back({"schedule-changes", "as a CronJob: " + *caveat});
  }
}

LineCheck check_job(const cron::Entry& entry, const cron::CronLine& job, const ge::HostView& files,
                    const CheckSettings& settings,
                    const std::shared_ptr<const std::map<std::string, std::string>>& crontab_env,
                    IntervalCache& intervals, CommandMemo& memo) {
  LineCheck line;
  line.line = entry.line;
  line.text = entry.text;
  line.command = job.command_as_typed;
  line.schedule = job.schedule;
  line.crontab_environment = crontab_env;
  cron::CommandScan scan = cron::find_grid_commands(job.command);
  switch (scan.classification) {
    case cron::CommandClass::Unparsable:
      line.verdict = Verdict::Error;
      line.reason =
          "the shell would refuse the command: " +
          (scan.error ? scan.error->reason : std::string("syntax error")) +
          (scan.error ? " (column " + std::to_string(job.line_offset(scan.error->offset) + 1) + ")"
                      : std::string());
      return line;
    case cron::CommandClass::Local:
      line.verdict = Verdict::Local;
      line.reason = scan.uses_jlocal ? "jlocal: runs on the cron host, as before (k8sjobs' jlocal)"
                                     : "no grid command: runs on the cron host";
      return line;
    case cron::CommandClass::Grid:
      break;
  }
  const auto& environment = memo.environment(crontab_env, settings);
  line.verdict = Verdict::Ok;
  for (const auto& grid : scan.commands) {
    std::string key = memo_key(grid, crontab_env.get());
    if (const CommandCheck* known = memo.find(key)) {
      line.commands.push_back(*known);
    } else {
      line.commands.push_back(check_command(grid, files, settings, environment));
      memo.add(std::move(key), line.commands.back());
    }
    line.verdict = std::max(line.verdict, line.commands.back().verdict);
  }
  add_hygiene(line, settings, intervals);
  return line;
}

}  // namespace

std::string expand_word(const cron::ShellWord& word,
                        const std::map<std::string, std::string>& environment,
                        const std::string& home) {
  std::string value = word.expansion ? expand_variables(word.value, environment) : word.value;
  return word.tilde ? expand_tilde(std::move(value), home) : value;
}

std::map<std::string, std::string> cron_environment(
    const std::map<std::string, std::string>& crontab_settings, const CheckSettings& settings) {
  std::map<std::string, std::string> environment{{"SHELL", "/bin/sh"},
                                                 {"PATH", "/usr/bin:/bin"},
                                                 {"HOME", settings.home},
                                                 {"LOGNAME", settings.user}};
  for (const auto& [name, value] : crontab_settings) environment[name] = value;
  return environment;
}

struct CrontabChecker::State {
  State(const ge::HostView& files, const CheckSettings& check_settings)
      : cached(files), settings(check_settings) {}
  CachingFiles cached;
  const CheckSettings& settings;
  IntervalCache intervals;
  CommandMemo memo;
  std::shared_ptr<const std::map<std::string, std::string>> settings_in_effect =
      std::make_shared<const std::map<std::string, std::string>>();
  int commented_jobs = 0;
};

CrontabChecker::CrontabChecker(const ge::HostView& files, const CheckSettings& settings)
    : state_(std::make_unique<State>(files, settings)) {}
CrontabChecker::~CrontabChecker() = default;

int CrontabChecker::commented_jobs() const {
  return state_->commented_jobs;
}

std::optional<LineCheck> CrontabChecker::check(const cron::Entry& entry) {
  State& state = *state_;
  switch (entry.kind()) {
    case cron::EntryKind::Blank:
      return std::nullopt;
    case cron::EntryKind::Comment:
      if (entry.comment()->commented_job) ++state.commented_jobs;
      return std::nullopt;
    case cron::EntryKind::Environment: {
      auto next = std::make_shared<std::map<std::string, std::string>>(*state.settings_in_effect);
      (*next)[entry.environment()->name] = entry.environment()->value;
      state.settings_in_effect = std::move(next);
      return std::nullopt;
    }
    case cron::EntryKind::Error: {
      LineCheck line;
      line.line = entry.line;
      line.text = entry.text;
      line.command = entry.text;
      line.verdict = Verdict::Error;
      line.reason = entry.error()->reason;
      line.crontab_environment = state.settings_in_effect;
      return line;
    }
    case cron::EntryKind::Job:
      break;
  }
  return check_job(entry, *entry.job(), state.cached, state.settings, state.settings_in_effect,
                   state.intervals, state.memo);
}

CrontabCheck check_crontab(const cron::Crontab& crontab, std::string file,
                           const ge::HostView& files, const CheckSettings& settings) {
  CrontabCheck check;
  check.file = std::move(file);
  CrontabChecker checker(files, settings);
  check.lines.reserve(crontab.entries.size());
  for (const auto& entry : crontab.entries) {
    if (auto line = checker.check(entry)) check.lines.push_back(std::move(*line));
  }
  check.commented_jobs = checker.commented_jobs();
  return check;
}

void CheckSummary::add(const LineCheck& line) {
  hygiene += static_cast<int>(line.hygiene.size());
  switch (line.verdict) {
    case Verdict::Ok:
      ++ok;
      break;
    case Verdict::Local:
      ++local;
      break;
    case Verdict::Changes:
      ++changes;
      break;
    case Verdict::Unsupported:
      ++unsupported;
      break;
    case Verdict::Error:
      ++error;
      break;
  }
}

CheckSummary summarize(const std::vector<CrontabCheck>& checks) {
  CheckSummary summary;
  for (const auto& check : checks) {
    summary.commented_jobs += check.commented_jobs;
    for (const auto& line : check.lines) summary.add(line);
  }
  return summary;
}

namespace {

constexpr std::size_t kCommandWidth = 72;

std::string command_cell(const LineCheck& line) {
  std::string text = line.command;
  for (char& c : text) {
    if (c == '\t') c = ' ';
  }
  if (text.size() > kCommandWidth) text = text.substr(0, kCommandWidth - 3) + "...";
  return text;
}

void pad(std::string& out, std::size_t width, std::string_view cell) {
  out += cell;
  out.append(width > cell.size() ? width - cell.size() : 1, ' ');
}

}  // namespace

namespace {

// The table's rows, one crontab line at a time; `location_width` is the widest LINE cell.
class TableWriter {
 public:
  explicit TableWriter(std::size_t location_width)
      : width_(std::max<std::size_t>(location_width, 4) + 2),
        indent_(width_ + kVerdictWidth, ' ') {}

  void header(std::string& out) const {
    pad(out, width_, "LINE");
    pad(out, kVerdictWidth, "VERDICT");
    out += "COMMAND\n";
  }

  void row(std::string_view location, const LineCheck& line, std::string& out) const {
    pad(out, width_, location);
    pad(out, kVerdictWidth, to_string(line.verdict));
    out += command_cell(line);
    out += '\n';
    if (line.verdict == Verdict::Error && !line.reason.empty()) detail(out, "error: ", line.reason);
    for (const auto& command : line.commands) {
      for (const auto& change : command.changes) detail(out, "change: ", change.message);
      if (!command.image.empty()) detail(out, "image: ", command.image_rule);
      for (const auto& refusal : command.refusals) {
        detail(out, "unsupported: ", refusal.message);
        detail(out, "  instead: ", refusal.instead);
      }
      if (command.verdict == Verdict::Error) detail(out, "error: ", command.error);
    }
    for (const auto& warning : line.hygiene) detail(out, "warning: ", warning.message);
  }

  static void footer(const CheckSummary& summary, std::string& out) {
    int total = summary.ok + summary.changes + summary.unsupported + summary.local + summary.error;
    out += "\n" + std::to_string(total) + " job lines: " + std::to_string(summary.ok) + " ok, " +
           std::to_string(summary.changes) + " changes, " + std::to_string(summary.unsupported) +
           " unsupported, " + std::to_string(summary.local) + " local, " +
           std::to_string(summary.error) + " error; " + std::to_string(summary.hygiene) +
           " cron warnings";
    if (summary.commented_jobs > 0)
      out += "; " + std::to_string(summary.commented_jobs) + " commented-out jobs not checked";
    out += "\n";
  }

 private:
  static constexpr std::size_t kVerdictWidth = 13;

  void detail(std::string& out, std::string_view label, std::string_view text) const {
    out += indent_;
    out += label;
    out += text;
    out += '\n';
  }

  std::size_t width_;
  std::string indent_;
};

std::string location_of(bool several, const std::string& file, int line) {
  return several ? file + ":" + std::to_string(line) : std::to_string(line);
}

}  // namespace

std::string render_table(const std::vector<CrontabCheck>& checks) {
  const bool several = checks.size() > 1;
  std::size_t width = 0;
  for (const auto& check : checks) {
    for (const auto& line : check.lines)
      width = std::max(width, location_of(several, check.file, line.line).size());
  }
  TableWriter table(width);
  std::string out;
  table.header(out);
  for (const auto& check : checks) {
    for (const auto& line : check.lines)
      table.row(location_of(several, check.file, line.line), line, out);
  }
  TableWriter::footer(summarize(checks), out);
  return out;
}

CheckSummary write_table(const std::vector<CrontabText>& crontabs, const ge::HostView& files,
                         const CheckSettings& settings,
                         const std::function<void(std::string_view)>& write) {
  const bool several = crontabs.size() > 1;
  // The LINE column is as wide as the last reported line's location in each crontab.
  std::size_t width = 0;
  for (const auto& crontab : crontabs) {
    int last = 0;
    cron::for_each_line(crontab.text, [&](int number, std::string_view line) {
      if (cron::is_job_or_error_line(line)) last = number;
    });
    if (last > 0) width = std::max(width, location_of(several, crontab.file, last).size());
  }
  TableWriter table(width);
  std::string out;
  table.header(out);
  CheckSummary summary;
  constexpr std::size_t kFlushBytes = 1 << 16;
  for (const auto& crontab : crontabs) {
    CrontabChecker checker(files, settings);
    cron::for_each_line(crontab.text, [&](int number, std::string_view text) {
      auto line = checker.check(cron::parse_line(number, text));
      if (!line) return;
      table.row(location_of(several, crontab.file, line->line), *line, out);
      summary.add(*line);
      if (out.size() >= kFlushBytes) {
        write(out);
        out.clear();
      }
    });
    summary.commented_jobs += checker.commented_jobs();
  }
  TableWriter::footer(summary, out);
  write(out);
  return summary;
}

json render_json(const std::vector<CrontabCheck>& checks) {
  json files = json::array();
  for (const auto& check : checks) {
    json lines = json::array();
    for (const auto& line : check.lines) {
      json item{{"line", line.line}, {"text", line.text}, {"verdict", to_string(line.verdict)}};
      if (!line.reason.empty()) item["reason"] = line.reason;
      if (line.schedule) item["schedule"] = line.schedule->text();
      json commands = json::array();
      for (const auto& command : line.commands) {
        json entry{{"command", command.command},
                   {"argv", command.argv},
                   {"verdict", to_string(command.verdict)}};
        if (command.request) entry["job_name"] = command.request->job_name;
        json changes = json::array();
        for (const auto& change : command.changes) {
          changes.push_back({{"option", change.option},
                             {"message", change.message},
                             {"kubernetes", change.kubernetes}});
        }
        entry["changes"] = changes;
        json refusals = json::array();
        for (const auto& refusal : command.refusals) {
          refusals.push_back({{"option", refusal.option},
                              {"message", refusal.message},
                              {"instead", refusal.instead}});
        }
        entry["unsupported"] = refusals;
        if (!command.error.empty()) entry["error"] = command.error;
        if (!command.image.empty()) {
          entry["image"] = command.image;
          entry["image_rule"] = command.image_rule;
        }
        commands.push_back(std::move(entry));
      }
      item["commands"] = commands;
      json hygiene = json::array();
      for (const auto& warning : line.hygiene)
        hygiene.push_back({{"code", warning.code}, {"message", warning.message}});
      item["warnings"] = hygiene;
      lines.push_back(std::move(item));
    }
    files.push_back(
        {{"file", check.file}, {"lines", lines}, {"commented_jobs", check.commented_jobs}});
  }
  CheckSummary summary = summarize(checks);
  return {{"files", files},
          {"summary",
           {{"ok", summary.ok},
            {"changes", summary.changes},
            {"unsupported", summary.unsupported},
            {"local", summary.local},
            {"error", summary.error},
            {"warnings", summary.hygiene},
            {"commented_jobs", summary.commented_jobs}}}};
}

std::string render_json_text(const std::vector<CrontabCheck>& checks) {
  return render_json(checks).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace k8sjobs::migrate
