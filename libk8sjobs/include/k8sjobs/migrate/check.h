#pragma once
// `k8sjobs-migrate check`: what each crontab line becomes under k8sjobs. Every grid command
// found in a line goes through ge::parse_submit, the parser jsub itself uses, so a verdict
// here is what jsub would do with that line on Kubernetes. Pure: the file system is asked
// only through the HostView handed in.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/cron/crontab.h"
#include "k8sjobs/cron/schedule.h"
#include "k8sjobs/cron/shell_words.h"
#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/ge/submit_parser.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/site/site_config.h"

namespace k8sjobs::migrate {

// Ordered from best to worst: a line's verdict is the worst of its commands'.
enum class Verdict {
  Ok,           // runs unchanged through k8sjobs
  Local,        // no grid command: cron runs it on the cron host itself
  Changes,      // runs, but some option means something different on Kubernetes
  Unsupported,  // an option (or command) k8sjobs refuses: see what to use instead
  Error,        // the line (or its jsub command line) cannot be understood
};
std::string_view to_string(Verdict verdict);

// An option that is accepted but behaves differently on Kubernetes.
struct OptionChange {
  std::string option;      // "-p"
  std::string message;     // the parser's warning
  std::string kubernetes;  // the option table's disposition text ("" when none)
};

// Something k8sjobs refuses.
struct Refusal {
  std::string option;   // "-hold_jid", or the command name ("qsub") for a command
  std::string message;  // what happens: the option table's text or jsub's message
  std::string instead;  // what to use instead
};

// A cron habit worth fixing before (or while) moving: the old Toolforge rules.
struct HygieneWarning {
  std::string code;     // frequent, no-once, reboot, never-runs, schedule-changes, keep-alive
  std::string message;  // one sentence a maintainer can act on
};

struct CommandCheck {
  std::string command;            // jsub, jstart, qcronsub, qsub, jstop, qdel
  std::vector<std::string> argv;  // the words jsub would receive (~ and $VARS expanded)
  Verdict verdict = Verdict::Ok;
  std::vector<OptionChange> changes;
  std::vector<Refusal> refusals;
  std::string error;  // Verdict::Error: jsub's own message
  // With a site (CheckSettings::site): the image the job would run in and the rule that chose
  // it ("images.rules[0]: program php -> php8.2"); a program no image has is a change.
  std::string image;
  std::string image_name;  // the short name the rule gave ("php8.2"), or the reference
  std::string image_rule;
  // The start of the script the choice read (translate::image_script_path), so that convert
  // builds its CronJob with the same image.
  std::optional<std::string> script_text;
  // The parsed submission (jsub, jstart, qcronsub that parse); what convert builds from.
  // Shared: lines that run the same command share one.
  std::shared_ptr<const ge::SubmitRequest> request;
  ge::Mode mode = ge::Mode::Jsub;
};

struct LineCheck {
  int line = 0;         // 1-based
  std::string text;     // as written
  std::string command;  // the command part as typed (the whole text for an unreadable line)
  Verdict verdict = Verdict::Ok;
  std::string reason;  // Error: why; Local: what cron runs locally ("jlocal" or "no grid command")
  std::optional<cron::Schedule> schedule;  // for job lines
  std::vector<CommandCheck> commands;      // the grid commands, in order
  std::vector<HygieneWarning> hygiene;
  // The crontab's settings in effect for this line (MAILTO, CRON_TZ, PATH...), shared
  // between lines until a setting changes.
  std::shared_ptr<const std::map<std::string, std::string>> crontab_environment;
};

struct CrontabCheck {
  std::string file;  // as given on the command line ("-" for stdin)
  // Job lines and lines that could not be read; blank lines, comments and settings are
  // not verdicts and are left out.
  std::vector<LineCheck> lines;
  int commented_jobs = 0;  // `# 17 2 * * * jsub ...`: not checked, counted for the summary
};

struct CheckSettings {
  ge::SubmitSettings submit;  // cli::submit_settings_for(site), check_program as decided
  std::string user;           // tools.alice
  std::string home;           // /data/project/alice: where cron starts, what ~ means
  // When set, each parsed command is also translated (translate::build_workload) so that site
  // limits jsub would hit on Kubernetes (memory, CPUs, release images) are reported too.
  const site::SiteConfig* site = nullptr;
  // Hygiene thresholds (the old Toolforge rules).
  std::chrono::minutes min_grid_interval{5};
  std::chrono::minutes frequent_without_once{60};
};

// check_crontab one entry after the other, for a crontab read a line at a time.
class CrontabChecker {
 public:
  CrontabChecker(const ge::HostView& files, const CheckSettings& settings);
  ~CrontabChecker();
  CrontabChecker(const CrontabChecker&) = delete;
  CrontabChecker& operator=(const CrontabChecker&) = delete;
  // The entries in order. A verdict for a job line or an unreadable line; nullopt for blank
  // lines, comments and settings (a setting holds for the lines after it).
  std::optional<LineCheck> check(const cron::Entry& entry);
  int commented_jobs() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// `files` answers file questions (programs, ~/.jsubrc, #$ lines) and the time; user, home,
// working directory and environment come from `settings` and the crontab, as cron set them.
CrontabCheck check_crontab(const cron::Crontab& crontab, std::string file,
                           const ge::HostView& files, const CheckSettings& settings);

// cron's environment for a job line: cron's defaults (SHELL, PATH, HOME, LOGNAME), then the
// crontab's settings.
std::map<std::string, std::string> cron_environment(
    const std::map<std::string, std::string>& crontab_settings, const CheckSettings& settings);

// Shell expansion of one grid-command word the way sh would do it for the simple cases:
// a leading unquoted `~` or `~/`, and `$NAME` / `${NAME}` from `environment` (unset: empty).
// Command substitutions and other expansions stay as typed.
std::string expand_word(const cron::ShellWord& word,
                        const std::map<std::string, std::string>& environment,
                        const std::string& home);

struct CheckSummary {
  int ok = 0, local = 0, changes = 0, unsupported = 0, error = 0;
  int hygiene = 0;
  int commented_jobs = 0;
  bool failed() const { return unsupported > 0 || error > 0; }
  void add(const LineCheck& line);  // its verdict and its cron warnings
};
CheckSummary summarize(const std::vector<CrontabCheck>& checks);

// The compact human table: one row per line (FILE:LINE when there are several files),
// verdict, command; indented detail rows for changes, refusals, errors and hygiene.
std::string render_table(const std::vector<CrontabCheck>& checks);
// render_table(check_crontab(...) for each crontab), written while the crontabs are checked:
// neither the crontabs' entries nor their verdicts are held, only the text. `write` receives
// the table in pieces. Returns the summary (its failed() is check's exit status).
struct CrontabText {
  std::string file;  // as given on the command line
  std::string text;
};
CheckSummary write_table(const std::vector<CrontabText>& crontabs, const ge::HostView& files,
                         const CheckSettings& settings,
                         const std::function<void(std::string_view)>& write);
// The same as JSON (documented in docs/migration.md).
nlohmann::json render_json(const std::vector<CrontabCheck>& checks);
// render_json as text (indented, one trailing newline). A crontab may hold bytes that are not
// UTF-8; JSON text cannot, so they show as U+FFFD.
std::string render_json_text(const std::vector<CrontabCheck>& checks);

}  // namespace k8sjobs::migrate
