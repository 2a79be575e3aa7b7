#pragma once
// What this user last saw of a namespace's job ID counter, kept between jsub runs so that the
// next ID can usually be taken with one request. Only a hint: the counter in the cluster stays
// the one authority, and a stale or missing hint costs one extra request, never a duplicate ID.

#include <memory>
#include <optional>
#include <string>

#include "k8sjobs/sys/environment.h"

namespace k8sjobs::jobs {

class JobIdHint {
 public:
  virtual ~JobIdHint() = default;
  // The counter's `next` value when this user last took an ID, if known.
  virtual std::optional<long long> load() = 0;
  // Remembers the counter's `next` value; failures are ignored (it is only a hint).
  virtual void store(long long next) = 0;
};

// A file per cluster and namespace under $XDG_CACHE_HOME/k8sjobs (default ~/.cache/k8sjobs);
// nullptr when neither XDG_CACHE_HOME nor HOME is set.
std::unique_ptr<JobIdHint> make_file_job_id_hint(const sys::Environment& environment,
                                                 const std::string& server,
                                                 const std::string& namespace_name);

// The file make_file_job_id_hint uses (for tests and for `rm` when debugging).
std::optional<std::string> job_id_hint_path(const sys::Environment& environment,
                                            const std::string& server,
                                            const std::string& namespace_name);

}  // namespace k8sjobs::jobs
