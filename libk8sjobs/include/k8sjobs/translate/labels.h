#pragma once
// The labels and annotations that identify k8sjobs' objects. Every object k8sjobs creates
// carries them, so one label-selected LIST finds a job by ID, name or owner, and nothing that
// k8sjobs did not create is ever touched.

#include <cstddef>
#include <string>
#include <string_view>

namespace k8sjobs::translate {

inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "k8sjobs";
inline constexpr const char* kJobIdLabel = "k8sjobs.io/job-id";
inline constexpr const char* kJobNameLabel = "k8sjobs.io/job-name";  // label-safe form
inline constexpr const char* kOwnerLabel = "k8sjobs.io/owner";
inline constexpr const char* kQueueLabel = "k8sjobs.io/queue";  // task | continuous
inline constexpr const char* kOnceLabel = "k8sjobs.io/once";

// -a: the job may not start before this time (RFC 3339, UTC). While it is in the future the
// Job is suspended (a Deployment has 0 replicas) and k8sjobs-controller releases it when the
// time comes; it stays afterwards for qstat -j's execution_time.
inline constexpr const char* kStartAfterAnnotation = "k8sjobs.io/start-after";
// A user hold (-h, qhold), set while the object is suspended: what tells a held deferred job
// (hqw) from one that only waits for its time (qw). qrls removes it. Without a start-after
// annotation a suspended object counts as held whether or not it carries this.
inline constexpr const char* kHoldAnnotation = "k8sjobs.io/hold";
// -hold_jid: the job numbers this job waits for, resolved at submission ("12,13"). The object
// is created suspended and k8sjobs-controller starts it when none of them exists unfinished.
inline constexpr const char* kHoldJidAnnotation = "k8sjobs.io/hold-jid";

// A run of a CronJob made by `k8sjobs-migrate convert`: created by Kubernetes' CronJob
// controller suspended, with job-id "0", until k8sjobs-controller takes it a number from the
// namespace's counter, writes it into the Job's and its pod template's labels (where the pod's
// JOB_ID comes from) and lets it start (controller/run_id_decision.h). Value "true".
inline constexpr const char* kAwaitingJobIdLabel = "k8sjobs.io/awaiting-job-id";

// Annotations keep what labels cannot hold (any bytes): what qstat -j shows.
inline constexpr const char* kNameAnnotation = "k8sjobs.io/job-name";
inline constexpr const char* kOwnerAnnotation = "k8sjobs.io/owner";
inline constexpr const char* kSubmitTimeAnnotation = "k8sjobs.io/submit-time";
inline constexpr const char* kDetailsAnnotation = "k8sjobs.io/details";  // JSON, see workload.cpp
inline constexpr const char* kMailOptionsAnnotation = "k8sjobs.io/mail-options";
inline constexpr const char* kMailListAnnotation = "k8sjobs.io/mail-list";
// Which image rule chose the container's image, and why ("images.rules[0]: program php ->
// php8.2"; translate/image_choice.h).
inline constexpr const char* kImageRuleAnnotation = "k8sjobs.io/image-rule";

// A Grid Engine name as a Kubernetes label value: at most 63 characters of [A-Za-z0-9-_.],
// starting and ending alphanumeric; other characters become '-'. Not injective: the original
// stays in kNameAnnotation and is what every command shows and compares.
std::string label_value(std::string_view text);

// A job name as a DNS-1123 label of at most max_length characters: ASCII letters and digits
// in lower case, every run of anything else one '-', no '-' at either end; "job" when nothing
// is left ("CleanupWorklistBot" -> "cleanupworklistbot"). The one rule for object names,
// CronJob names and the -once guard's readable part.
std::string dns_label(std::string_view job_name, std::size_t max_length);

// The object name for a job: a DNS-1123 label `<name>-<id>` (lower case, at most 52
// characters so the pod names Kubernetes derives stay valid).
std::string object_name(std::string_view job_name, long long job_id);

}  // namespace k8sjobs::translate
