#include "k8sjobs/cli/qstat_command.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"

#include <algorithm>
#include <optional>
#include <ostream>
#include <set>

#include "job_lookup.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/jobs/predecessors.h"
#include "k8sjobs/qstat/job_detail.h"
#include "k8sjobs/qstat/listing.h"
#include "k8sjobs/qstat/qdel_format.h"

namespace k8sjobs::cli {

namespace {

struct QstatOptions {
  bool help = false;
  bool version = false;
  std::optional<std::vector<std::string>> users;  // -u, unset: only the caller
  qstat::StateFilter states;                      // -s
  std::vector<std::string> job_selectors;         // -j, ids or names
  bool detail = false;                            // -j given
  bool xml = false;
  bool full = false;
  bool resources = false;
};

// Grid Engine's own usage errors; the caller prints the usage first, as qstat does.
Expected<QstatOptions, std::string> parse_qstat_options(const std::vector<std::string>& words) {
  QstatOptions options;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    auto argument = [&]() -> std::optional<std::string> {
      if (i + 1 >= words.size()) return std::nullopt;
      return words[++i];
    };
    auto missing = [&]() { return "ERROR! " + word + " option must have argument"; };
    if (word == "-help" || word == "--help") {
      options.help = true;
    } else if (word == "--version") {
      options.version = true;
    } else if (word == "-xml") {
      options.xml = true;
    } else if (word == "-f") {
      options.full = true;
    } else if (word == "-r") {
      options.resources = true;
    } else if (word == "-u") {
      auto value = argument();
      if (!value) return unexpected(missing());
      if (!options.users) options.users.emplace();
      for (auto& user : detail::split_list(*value)) options.users->push_back(user);
    } else if (word == "-s") {
      auto value = argument();
      if (!value) return unexpected(missing());
      auto filter = qstat::parse_state_filter(*value);
      if (!filter) return unexpected("invalid option argument \"" + *value + "\"");
      options.states = *filter;
    } else if (word == "-j") {
      auto value = argument();
      if (!value) return unexpected(missing());
      options.detail = true;
      for (auto& selector : detail::split_list(*value)) options.job_selectors.push_back(selector);
    } else {
      return unexpected("invalid option argument \"" + word + "\"");
    }
  }
  return options;
}

// qstat -j: jobs in the order asked for, each once; `missing` gets the selectors that matched
// nothing.
std::vector<jobs::JobRecord> select_for_detail(const std::vector<jobs::JobRecord>& all,
                                               const std::vector<std::string>& selectors,
                                               std::vector<std::string>& missing) {
  std::vector<jobs::JobRecord> selected;
  std::set<long long> seen;
  auto take = [&](const jobs::JobRecord& job) {
    if (seen.insert(job.id).second) selected.push_back(job);
  };
  for (const auto& selector : selectors) {
    bool found = false;
    if (auto id = detail::job_number(selector)) {
      if (const auto* job = detail::find_job(all, *id)) {
        take(*job);
        found = true;
      }
    } else {
      for (const auto& job : all) {
        if (qstat::qdel_pattern_matches(selector, job.name)) {
          take(job);
          found = true;
        }
      }
    }
    if (!found) missing.push_back(selector);
  }
  return selected;
}

}  // namespace

std::string qstat_usage() {
  return "usage: qstat [options]\n"
         "        [-f]                              full output\n"
         "        [-help]                           print this help\n"
         "        [--version]                       print the version and the site config in use\n"
         "        [-j job_identifier_list]          show scheduler job information\n"
         "        [-r]                              show requested resources of job(s)\n"
         "        [-s {p|r|s|z|hu|ho|hs|hd|hj|ha|h|a}] show pending, running, suspended, "
         "zombie jobs,\n"
         "                                          jobs with a user/operator/system/array-"
         "dependency hold,\n"
         "                                          jobs with a start time in future or any "
         "combination only.\n"
         "                                          h is an abbreviation for huhohshdhjha\n"
         "                                          a is an abbreviation for prsh\n"
         "        [-u user_list]                    view only jobs of this user\n"
         "        [-xml]                            display the information in XML-Format\n"
         "\n"
         "job_identifier_list  {job_id|job_name|reg_exp}[,{job_id|job_name|reg_exp},...]\n"
         "user_list            user|pattern[,user|pattern,...]\n";
}

int run_qstat(CommandIo& io) {
  return run_qstat(io, make_command_context(io));
}

int run_qstat(CommandIo& io, const CommandContext& context) {
  auto parsed = parse_qstat_options(io.args);
  if (!parsed) {
    io.err << qstat_usage() << "error: " << parsed.error() << "\n";
    return 1;
  }
  const QstatOptions& options = *parsed;
  if (options.help) {
    io.out << qstat_usage();
    return 0;
  }
  if (options.version) return print_version("qstat", io.environment, io.out, io.err);
  auto backend = context.open_backend();
  if (!backend) return report_backend_error("qstat", backend.error(), io.err);

  if (options.detail) {
    // Like Grid Engine, -j finds any user's job: the details are not secret from colleagues.
    jobs::JobQuery query;
    auto all = (*backend)->list(query);
    if (!all) return report_backend_error("qstat", all.error(), io.err);
    detail::print_warnings("qstat", all->warnings, io.err);
    jobs::link_dependencies(all->records, query.include_finished);
    std::vector<std::string> missing;
    auto selected = select_for_detail(all->records, options.job_selectors, missing);
    if (selected.empty()) {
      io.err << qstat::render_missing_jobs(missing);
      return 1;
    }
    io.out << (options.xml ? qstat::render_job_detail_xml(selected, context.zone)
                           : qstat::render_job_detail(selected, context.zone));
    return 0;
  }

  qstat::ListingOptions listing;
  listing.users = options.users ? *options.users : std::vector<std::string>{context.user};
  listing.states = options.states;
  listing.full = options.full;
  listing.resources = options.resources;
  listing.queue_name_width = qstat::queue_name_width_from_env(io.environment);
  jobs::JobQuery query;
  query.users = listing.users;
  query.include_finished = options.states.finished;
  if (options.resources) {
    // -r prints resources, queues and predecessors: full records.
    auto found = (*backend)->list(query);
    if (!found) return report_backend_error("qstat", found.error(), io.err);
    detail::print_warnings("qstat", found->warnings, io.err);
    jobs::link_dependencies(found->records, query.include_finished);
    io.out << (options.xml ? qstat::render_listing_xml(found->records, listing, context.zone)
                           : qstat::render_listing(found->records, listing, context.zone));
    return 0;
  }
  // Everything else prints the table's fields only: the lean listing (jobs/job_table.h).
  auto found = (*backend)->list_table(query);
  if (!found) return report_backend_error("qstat", found.error(), io.err);
  detail::print_warnings("qstat", found->warnings, io.err);
  if (options.xml) {
    io.out << qstat::render_table_xml(found->table, listing, context.zone);
  } else {
    qstat::write_table(io.out, found->table, listing, context.zone);
  }
  return 0;
}

int qstat_main(int argc, char** argv) {
  return run_program("qstat", argc, argv, [](CommandIo& io) { return run_qstat(io); });
}

}  // namespace k8sjobs::cli
