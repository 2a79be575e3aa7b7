#pragma once
// The files a job's stdout and stderr go to, as Grid Engine and jsub named them.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "k8sjobs/ge/submit_request.h"

namespace k8sjobs::ge {

struct OutputPathContext {
  std::uint64_t job_id = 0;
  std::optional<std::uint32_t> task_id;  // array task; nullopt for a non-array job
  std::string hostname;                  // what $HOSTNAME expands to
  // Is this (absolute) path an existing directory? Output into a directory gets Grid
  // Engine's file name <name>.o<job_id>[.<task_id>]. May be empty: then only a trailing
  // '/' marks a directory.
  std::function<bool(const std::string&)> is_directory;
};

struct OutputPaths {
  std::string stdout_path;  // absolute
  std::string stderr_path;  // absolute; equal to stdout_path with -j y
  bool merged = false;      // -j y
};

// Defaults $HOME/<name>.out and $HOME/<name>.err (jsub's, no job id); -j y sends stderr to
// the stdout file; a leading host: is dropped; ~ and ~/ are the home; $HOME $USER $JOB_ID
// $JOB_NAME $HOSTNAME $TASK_ID are replaced ($TASK_ID is 0 without an array); relative paths
// are relative to the job's working directory; a directory gets <name>.o<id>[.<task>] or
// <name>.e<id>[.<task>].
OutputPaths resolve_output_paths(const SubmitRequest& request, const OutputPathContext& context);

// Lexical absolute path: `path` against `base` (if relative), with "." and ".." segments
// and repeated slashes removed (like Python's os.path.abspath, which jsub used).
std::string absolute_path(const std::string& base, const std::string& path);

}  // namespace k8sjobs::ge
