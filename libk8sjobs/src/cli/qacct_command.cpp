// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/cli/qacct_command.h"
#include "k8sjobs/cli/commands.h"
#include "k8sjobs/cli/program.h"

#include <optional>
#include <ostream>

#include "job_lookup.h"
#include "k8sjobs/acct/record_filter.h"
#include "k8sjobs/acct/report.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/ge/values.h"
#include "k8sjobs/jobs/untrusted_fields.h"

namespace k8sjobs::cli {

namespace {

struct QacctOptions {
  bool help = false;
  bool version = false;
  bool by_owner = false;  // -o with or without an owner: the summary has an OWNER column
  acct::RecordFilter filter;
  std::optional<long long> days;  // -d
};

// An option whose argument may be left out (-j, -o): the next word, unless it is an option.
std::optional<std::string> optional_argument(const std::vector<std::string>& words, size_t& i) {
  if (i + 1 < words.size() && !(words[i + 1].size() > 1 && words[i + 1][0] == '-'))
    return words[++i];
  return std::nullopt;
}

Expected<QacctOptions, std::string> parse_qacct_options(const std::vector<std::string>& words,
                                                        sys::Clock& clock) {
  QacctOptions options;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "-help" || word == "--help") {
      options.help = true;
    } else if (word == "--version") {
      options.version = true;
    } else if (word == "-j") {
      options.filter.job = optional_argument(words, i).value_or("");
    } else if (word == "-o") {
      options.by_owner = true;
      if (auto owner = optional_argument(words, i)) options.filter.owner = *owner;
    } else if (word == "-b" || word == "-e") {
      if (i + 1 >= words.size()) return unexpected("ERROR! " + word + " option must have argument");
      auto when = ge::parse_start_time(words[++i], clock.now());
      if (!when) return unexpected(when.error());
      (word == "-b" ? options.filter.begin : options.filter.end) = *when;
    } else if (word == "-d") {
      if (i + 1 >= words.size())
        return unexpected(std::string("ERROR! -d option must have argument"));
      auto days = jobs::untrusted::parse_decimal(words[++i], 1, 100000);
      if (!days) return unexpected("invalid number of days " + jobs::untrusted::quoted(words[i]));
      options.days = *days;
    } else {
      return unexpected("invalid option argument \"" + word + "\"");
    }
  }
  return options;
}

}  // namespace

std::string qacct_usage() {
  return "usage: qacct [options]\n"
         " [-b begin_time]                   jobs started after\n"
         " [-d days]                         jobs started during the last d days\n"
         " [-e end_time]                     jobs started before\n"
         " [-help]                           prints this help\n"
         " [-j [job_id|job_name|pattern]]    list all [matching] jobs\n"
         " [-o [owner]]                      list [matching] owner\n"
         " [--version]                       print the version and the site config in use\n"
         "\n"
         " begin_time, end_time              [[CC]YY]MMDDhhmm[.SS]\n";
}

int run_qacct(CommandIo& io) {
  return run_qacct(io, make_command_context(io));
}

int run_qacct(CommandIo& io, const CommandContext& context) {
  auto parsed = parse_qacct_options(io.args, io.clock);
  if (!parsed) {
    io.err << qacct_usage() << "error: " << parsed.error() << "\n";
    return 1;
  }
  QacctOptions options = *parsed;
  if (options.help) {
    io.out << qacct_usage();
    return 0;
  }
  if (options.version) return print_version("qacct", io.environment, io.out, io.err);
  if (options.days) {
    const auto since = io.clock.now() - std::chrono::hours(24) * *options.days;
    if (!options.filter.begin || *options.filter.begin < since) options.filter.begin = since;
  }

  auto backend = context.open_backend();
  if (!backend) return report_backend_error("qacct", backend.error(), io.err);
  auto read = (*backend)->read_accounting(
      [&](const acct::AccountingRecord& record) { return acct::matches(options.filter, record); });
  if (!read) return report_backend_error("qacct", read.error(), io.err);
  detail::print_warnings("qacct", read->warnings, io.err);
  auto records = acct::select_records(std::move(read->records), options.filter);

  if (!options.filter.job) {
    io.out << acct::format_summary(records, options.by_owner);
    return 0;
  }
  if (records.empty()) {
    const std::string& selector = *options.filter.job;
    if (auto number = jobs::untrusted::parse_job_number(selector)) {
      io.err << "error: job id " << *number << " not found\n";
    } else if (!selector.empty()) {
      io.err << "error: job name " << selector << " not found\n";
    }
    return 1;
  }
  io.out << acct::format_job_records(records, context.zone);
  return 0;
}

int qacct_main(int argc, char** argv) {
  return run_program("qacct", argc, argv, [](CommandIo& io) { return run_qacct(io); });
}

}  // namespace k8sjobs::cli
