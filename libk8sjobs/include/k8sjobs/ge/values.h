#pragma once
// Parsers for the values of Grid Engine submit options. Each returns the value or the text
// of the error (without the "jsub: error: argument -X: " the parser puts in front), worded
// like jsub or Grid Engine wherever their wording is known.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8sjobs/expected.h"

namespace k8sjobs::ge {

template <class T>
using ValueResult = Expected<T, std::string>;

// jsub's -mem: an integer followed by k, m or g in either case; 1 m = 1024 k, 1 g = 1024 m
// (so `-mem 2500m` is h_vmem=2560000k). Error:
//   expected an integer followed by 'k', 'm' or 'g'. 'X' given.
ValueResult<std::uint64_t> parse_jsub_memory_kib(std::string_view text);

// Grid Engine's memory syntax: a number with an optional multiplier; k m g t are powers of
// 1000, K M G T powers of 1024; no multiplier means bytes.
ValueResult<std::uint64_t> parse_ge_memory_bytes(std::string_view text);

// parse_ge_memory_bytes rounded up to whole KiB: qsub's -l h_vmem= and -l virtual_free=.
ValueResult<std::uint64_t> parse_ge_memory_kib(std::string_view text);

// Grid Engine's memory notation for qstat -j's hard resource list, from KiB: 1G, 512M, 1000K.
std::string format_ge_memory_kib(std::uint64_t kib);

// `-l h_vmem=` and `-l virtual_free=` as the last jsub computed them, in KiB: jsub's own rule
// when the value is an integer with k/m/g in either case (`512M` = 524288k), else Grid
// Engine's syntax rounded up to whole KiB (`1073741824`, `1.5G`, `2t`).
ValueResult<std::uint64_t> parse_resource_memory_kib(std::string_view text);

// Grid Engine time (h_rt): seconds, or h:m:s where empty fields count as 0 (`1::1`).
ValueResult<std::uint64_t> parse_ge_time_seconds(std::string_view text);

// -t n[-m[:s]]. 1 <= n <= m; the end is rounded down onto the step (1-10:2 is 1-9:2).
struct TaskRange {
  std::uint32_t first = 1;
  std::uint32_t last = 1;
  std::uint32_t step = 1;
  std::uint32_t count() const { return (last - first) / step + 1; }
  bool operator==(const TaskRange&) const = default;
};
ValueResult<TaskRange> parse_task_range(std::string_view text);

// date_time [[CC]YY]MMDDhhmm[.SS]; a two-digit YY below 70 means 20YY. Without a year,
// `year` is 0 and the caller picks the year (Grid Engine: the current one).
struct DateTime {
  int year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  bool operator==(const DateTime&) const = default;
};
ValueResult<DateTime> parse_date_time(std::string_view text);

// -a's value as the time it names: parse_date_time read as local time (the process's zone,
// TZ), in the current year when none is given, as Grid Engine's qsub did. A day the month
// does not have (0230) is Grid Engine's "Invalid day specification.".
ValueResult<std::chrono::system_clock::time_point> parse_start_time(
    std::string_view text, std::chrono::system_clock::time_point now);

// y|yes|n|no, any case (qsub's words, for -now and -sync).
ValueResult<bool> parse_yes_no(std::string_view text);

// jsub's -j and -b (its argparse_qsub_bool): any word starting with y or Y is yes, n and no
// (any case) are no; else "expected y[es]|n[o]. 'X' given."
ValueResult<bool> parse_jsub_yes_no(std::string_view text);

// -p: an integer from -1023 to 1024.
ValueResult<int> parse_priority(std::string_view text);

// -umask: octal digits, as many as given (jsub's argparse_octal); the permission bits count.
ValueResult<unsigned> parse_umask(std::string_view text);

// A positive decimal integer (-tc, -js).
ValueResult<std::uint32_t> parse_count(std::string_view text);

// -pe name n[-[m]] (also -n and n-). The slot count a container gets is `min_slots`.
struct ParallelEnvironment {
  std::string name;
  std::uint32_t min_slots = 1;
  std::optional<std::uint32_t> max_slots;  // nullopt: no upper bound given (n- or -n)
  bool operator==(const ParallelEnvironment&) const = default;
};
ValueResult<ParallelEnvironment> parse_parallel_environment(std::string_view name,
                                                            std::string_view slots);

// -v var[=value],... (values end at the next comma, as in Grid Engine).
struct VariableSetting {
  std::string name;
  std::optional<std::string> value;  // nullopt: "take it from the submitting environment"
  bool operator==(const VariableSetting&) const = default;
};
ValueResult<std::vector<VariableSetting>> parse_variable_list(std::string_view text);

// -l name[=value],...
struct ResourceRequest {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const ResourceRequest&) const = default;
};
ValueResult<std::vector<ResourceRequest>> parse_resource_list(std::string_view text);

// -m: any of b e a s, or n alone. Returns the letters as given.
ValueResult<std::string> parse_mail_options(std::string_view text);

// -M and other comma lists; empty items are an error.
ValueResult<std::vector<std::string>> parse_comma_list(std::string_view text);

// jsub's -M (its argparse_email): addresses NAME@DOMAIN separated by commas, else "expected
// list of email addresses. 'X' given."
ValueResult<std::vector<std::string>> parse_jsub_mail_list(std::string_view text);

// jsub's -l (its argparse_resource): every item must be NAME=VALUE; else argparse's "invalid
// argparse_resource value: 'X'" (X as Python's repr() writes it).
std::optional<std::string> jsub_resource_list_problem(std::string_view text);

// Python's repr() of a str: what argparse shows of a value in its messages ('x', "it's").
std::string python_repr(std::string_view text);

// Grid Engine's job name rules: what qsub (`/`, empty) or qmaster (the rest) would refuse.
// Messages in Grid Engine's words, e.g.
//   denied: "1x" is not a valid object name (cannot start with a digit)
struct NameProblem {
  std::string message;
  bool found_by_qsub = false;  // qsub's own command-line check, before anything is sent
};
std::optional<NameProblem> job_name_problem(std::string_view name);

}  // namespace k8sjobs::ge
