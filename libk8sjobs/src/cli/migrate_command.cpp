#include "k8sjobs/cli/migrate_command.h"

#include <malloc.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

#include "k8sjobs/cli/backend_factory.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/cron/crontab.h"
#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/migrate/apply.h"
#include "k8sjobs/migrate/check.h"
#include "k8sjobs/migrate/convert.h"
#include "k8sjobs/sys/current_user.h"
#include "k8sjobs/sys/host_name.h"
#include "k8sjobs/translate/yaml_output.h"
#include "submit_settings.h"

namespace k8sjobs::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;  // check: unsupported/error lines; convert/apply: skipped/failed
constexpr int kExitUsage = 2;     // bad arguments, unreadable files, site config, cluster

constexpr const char* kUsage =
    "usage: k8sjobs-migrate check   [--json] [OPTIONS] CRONTAB...\n"
    "       k8sjobs-migrate convert [--to cronjob|jobs-yaml] [-o|--output-dir DIR] [--spread]\n"
    "                               [--time-zone TZ] [OPTIONS] CRONTAB...\n"
    "       k8sjobs-migrate apply   [--dry-run] [--spread] [--time-zone TZ] [OPTIONS] CRONTAB...\n"
    "\n"
    "CRONTAB is a file, or - for standard input (crontab -l | k8sjobs-migrate check -).\n"
    "\n"
    "check    says for every job line whether it runs unchanged through jsub on Kubernetes\n"
    "         (ok), runs with options that mean something else there (changes), uses what\n"
    "         k8sjobs refuses (unsupported), runs on the cron host itself (local) or cannot\n"
    "         be read (error). Exit status 1 when a line is unsupported or an error.\n"
    "convert  prints one batch/v1 CronJob per grid command (--to cronjob, the default) or the\n"
    "         Toolforge jobs framework's jobs.yaml (--to jobs-yaml); -o DIR writes files.\n"
    "apply    creates or updates the CronJobs in the cluster; unchanged ones are left alone.\n"
    "\n"
    "OPTIONS\n"
    "  --user USER         whose crontab (default: you; K8SJOBS_USER overrides)\n"
    "  --home DIR          that user's home (default: from the password database or the site)\n"
    "  --no-program-check  do not require the programs to exist on this machine (automatic\n"
    "                      when the home directory is not here)\n"
    "  --spread            give @hourly/@daily/... a stable per-job minute (and hour)\n"
    "  --time-zone TZ      CronJob timeZone when the crontab sets no CRON_TZ\n"
    "  --help, --version\n";

struct Options {
  std::string subcommand;
  bool json = false;
  std::string to = "cronjob";
  std::optional<std::filesystem::path> output_dir;
  bool spread = false;
  std::optional<std::string> time_zone;
  bool dry_run = false;
  std::optional<std::string> user;
  std::optional<std::string> home;
  bool no_program_check = false;
  std::vector<std::string> files;
};

Expected<Options, std::string> parse_options(const std::vector<std::string>& args) {
  Options options;
  if (args.empty()) return unexpected(std::string("a subcommand is required"));
  options.subcommand = args[0];
  if (options.subcommand != "check" && options.subcommand != "convert" &&
      options.subcommand != "apply") {
    return unexpected("unknown subcommand \"" + options.subcommand +
                      "\" (expected check, convert or apply)");
  }
  bool only_files = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    auto value = [&](const std::string& option) -> Expected<std::string, std::string> {
      if (i + 1 >= args.size()) return unexpected(option + " needs a value");
      return args[++i];
    };
    if (only_files || word == "-" || word.empty() || word[0] != '-') {
      options.files.push_back(word);
      continue;
    }
    const std::string& sub = options.subcommand;
    if (word == "--") {
      only_files = true;
    } else if (word == "--json" && sub == "check") {
      options.json = true;
    } else if (word == "--to" && sub == "convert") {
      auto to = value(word);
      if (!to) return unexpected(to.error());
      if (*to != "cronjob" && *to != "jobs-yaml")
        return unexpected("--to " + *to + ": expected cronjob or jobs-yaml");
      options.to = *to;
    } else if ((word == "-o" || word == "--output-dir") && sub == "convert") {
      auto dir = value(word);
      if (!dir) return unexpected(dir.error());
      options.output_dir = *dir;
    } else if (word == "--spread" && sub != "check") {
      options.spread = true;
    } else if (word == "--time-zone" && sub != "check") {
      auto zone = value(word);
      if (!zone) return unexpected(zone.error());
      options.time_zone = *zone;
    } else if (word == "--dry-run" && sub == "apply") {
      options.dry_run = true;
    } else if (word == "--user" || word == "--home") {
      auto given = value(word);
      if (!given) return unexpected(given.error());
      (word == "--user" ? options.user : options.home) = *given;
    } else if (word == "--no-program-check") {
      options.no_program_check = true;
    } else {
      return unexpected("unknown option " + word + " for " + sub);
    }
  }
  if (options.files.empty()) return unexpected(std::string("no crontab given (use - for stdin)"));
  return options;
}

std::string read_all(std::istream& in) {
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

int report_conversion(const migrate::Conversion& conversion, std::ostream& err) {
  for (const auto& item : conversion.items) {
    for (const auto& note : item.notes)
      err << "k8sjobs-migrate: " << item.file << ":" << item.line << ": note: " << note << "\n";
  }
  for (const auto& skipped : conversion.skipped) {
    err << "k8sjobs-migrate: " << skipped.file << ":" << skipped.line
        << ": not converted: " << skipped.reason << "\n";
  }
  return conversion.skipped.empty() ? kExitOk : kExitFindings;
}

int write_files(const std::filesystem::path& dir, const migrate::Conversion& conversion,
                bool jobs_yaml, std::ostream& out, std::ostream& err) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    err << "k8sjobs-migrate: cannot create " << dir.string() << ": " << error.message() << "\n";
    return kExitUsage;
  }
  auto write = [&](const std::filesystem::path& path, const std::string& text) {
    std::ofstream file(path, std::ios::trunc);
    file << text;
    if (!file.flush()) {
      err << "k8sjobs-migrate: cannot write " << path.string() << "\n";
      return false;
    }
    out << "wrote " << path.string() << "\n";
    return true;
  };
  if (jobs_yaml) return write(dir / "jobs.yaml", migrate::jobs_yaml_text(conversion)) ? 0 : 2;
  for (const auto& item : conversion.items) {
    if (!write(dir / (item.name + ".yaml"), translate::to_yaml({item.object}))) return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

int run_migrate(CommandIo& io, std::istream& in) {
  if (!io.args.empty() && (io.args[0] == "--help" || io.args[0] == "-h" || io.args[0] == "help")) {
    io.out << kUsage;
    return kExitOk;
  }
  if (!io.args.empty() && io.args[0] == "--version") {
    return print_version("k8sjobs-migrate", io.environment, io.out, io.err) == 0 ? kExitOk
                                                                                 : kExitUsage;
  }
  auto options = parse_options(io.args);
  if (!options) {
    io.err << "k8sjobs-migrate: " << options.error() << "\n" << kUsage;
    return kExitUsage;
  }
  auto site = site::load_site_config(io.environment);
  if (!site) {
    io.err << "k8sjobs-migrate: " << site.error().message << "\n";
    return kExitUsage;
  }

  auto files = ge::make_system_host_view(io.environment, io.clock);
  const std::string me = sys::current_user(io.environment);
  migrate::CheckSettings settings;
  settings.user = options->user.value_or(me);
  if (options->home) {
    settings.home = *options->home;
  } else if (settings.user == me && site->tool_name(me) == me) {
    settings.home = files->home();  // a personal account: its own home
  } else {
    settings.home = site->home_for(settings.user);
  }
  settings.submit = submit_settings_for(*site);
  settings.site = &*site;
  if (settings.submit.check_program && !options->no_program_check &&
      !files->is_directory(settings.home)) {
    io.err << "k8sjobs-migrate: " << settings.home
           << " is not on this machine: programs are not checked\n";
    settings.submit.check_program = false;
  }
  if (options->no_program_check) settings.submit.check_program = false;

  std::vector<migrate::CrontabText> crontabs;
  for (const auto& name : options->files) {
    if (name == "-") {
      crontabs.push_back({name, read_all(in)});
    } else {
      std::ifstream file(name, std::ios::binary);
      if (!file) {
        io.err << "k8sjobs-migrate: cannot read " << name << "\n";
        return kExitUsage;
      }
      crontabs.push_back({name, read_all(file)});
    }
  }
  if (options->subcommand == "check" && !options->json) {
    // Written as it is checked: a large crontab's verdicts are not held in memory.
    auto summary = migrate::write_table(crontabs, *files, settings,
                                        [&](std::string_view text) { io.out << text; });
    return summary.failed() ? kExitFindings : kExitOk;
  }
  std::vector<migrate::CrontabCheck> checks;
  for (const auto& crontab : crontabs) {
    checks.push_back(
        migrate::check_crontab(cron::parse_crontab(crontab.text), crontab.file, *files, settings));
  }

  if (options->subcommand == "check") {
    if (options->json) {
      io.out << migrate::render_json_text(checks);
    } else {
      io.out << migrate::render_table(checks);
    }
    return migrate::summarize(checks).failed() ? kExitFindings : kExitOk;
  }

  migrate::ConvertOptions convert;
  convert.spread = options->spread;
  convert.time_zone = options->time_zone;
  convert.hostname = sys::host_name();
  bool jobs_yaml = options->subcommand == "convert" && options->to == "jobs-yaml";
  migrate::Conversion conversion = jobs_yaml ? migrate::convert_to_jobs_yaml(checks, *site, convert)
                                             : migrate::convert_to_cronjobs(checks, *site, convert);
  int status = report_conversion(conversion, io.err);

  if (options->subcommand == "convert") {
    if (options->output_dir) {
      int written = write_files(*options->output_dir, conversion, jobs_yaml, io.out, io.err);
      return written != kExitOk ? written : status;
    }
    if (jobs_yaml) {
      io.out << migrate::jobs_yaml_text(conversion);
    } else {
      std::vector<nlohmann::json> objects;
      for (const auto& item : conversion.items) objects.push_back(item.object);
      io.out << translate::to_yaml(objects);
    }
    return status;
  }

  // apply
  auto client = jobs::connect_to_cluster(*site, io.environment, io.clock);
  if (!client) {
    io.err << "k8sjobs-migrate: " << client.error().message << "\n";
    return kExitUsage;
  }
  std::vector<nlohmann::json> desired;
  for (const auto& item : conversion.items) desired.push_back(item.object);
  const std::string namespace_name = site->namespace_for(settings.user);
  auto results = migrate::apply_cronjobs(**client, namespace_name, desired, options->dry_run);
  int changed = 0;
  for (const auto& result : results) {
    io.out << "cronjob/" << result.name << " " << migrate::to_string(result.action);
    if (!result.message.empty()) io.out << " (" << result.message << ")";
    io.out << "\n";
    if (result.action == migrate::ApplyAction::Failed ||
        result.action == migrate::ApplyAction::Refused) {
      status = kExitFindings;
    }
    if (result.action != migrate::ApplyAction::Unchanged) ++changed;
  }
  if (changed == 0) {
    io.out << "nothing to change: " << results.size() << " CronJobs in " << namespace_name
           << " already match the crontab\n";
  } else if (options->dry_run) {
    io.out << "dry run: nothing was changed\n";
  }
  return status;
}

int migrate_main(int argc, char** argv) {
  // check makes a few blocks of 1 KiB or more per crontab line (token lists, parsed
  // submissions), and glibc consolidates its fast bins before each such block: a sixth of the
  // time of checking a large crontab. Without fast bins, small blocks still come from the
  // per-thread cache.
  mallopt(M_MXFAST, 0);
  return run_program("k8sjobs-migrate", argc, argv,
                     [](CommandIo& io) { return run_migrate(io, io.in); });
}

}  // namespace k8sjobs::cli
