// SPDX-License-Identifier: Apache-2.0
#pragma once
// The local backend's -m mail (b, e, a): the job's supervisor, which sees every task begin and
// end, sends Grid Engine's mails through the host's sendmail(8) (site key mail.sendmail), with
// the very events and texts k8sjobs-controller sends on a cluster (mail/mail_event.h,
// mail/mail_message.h). No batching: one mail per event and recipient, at once.
// - begin (b): the task started;
// - end (e): it ended by itself, with its exit status (128 + N when killed by signal N);
// - abort (a): it was deleted (qdel) before it ended, killed at its h_rt limit, or could not
//   be started (Eqw).
// Each event is sent once: the record's `mail_sent` marks it after the attempt, so a
// supervisor that looks again (or another one) does not send it again. An attempt that fails
// is not repeated (sendmail queues what it accepts; a refusal is a host's setup, not a passing
// fault) and is written to the job's log file (<state_dir>/jobs/<id>.log).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/local/local_job.h"
#include "k8sjobs/local/state_store.h"
#include "k8sjobs/mail/mail_event.h"
#include "k8sjobs/mail/mail_sender.h"

namespace k8sjobs::ge {
struct SubmitRequest;
}
namespace k8sjobs::site {
struct SiteConfig;
}

namespace k8sjobs::local {

// What the supervisor needs to send a job's mail, fixed at submission in the job's launch file
// (the supervisor reads no site configuration).
struct LocalMailSettings {
  std::string sendmail;  // the program, absolute
  std::string from;      // envelope sender and From
  int max_recipients = 20;
  // sendmail's environment: PATH and the submitting user's HOME, USER, LOGNAME (a sendmail
  // such as msmtp reads its configuration from the home).
  std::vector<std::pair<std::string, std::string>> environment;
  bool operator==(const LocalMailSettings&) const = default;
};

nlohmann::json to_json(const LocalMailSettings& settings);
// nullopt when it is not what to_json writes (the job then sends no mail).
std::optional<LocalMailSettings> local_mail_settings_from_json(const nlohmann::json& json);

// At submission. `settings`: what the supervisor will use, or nullopt when the job asks for no
// mail (no -m b, e or a; a continuous job, which gets none, as on a cluster), the site turned
// local mail off (mail.sendmail empty) or the program cannot run. `warning`: set when the job
// asks for mail (-m b, e, a or s) and the program cannot run, e.g. "no mail will be sent:
// /usr/sbin/sendmail not found (site key mail.sendmail)".
struct SubmitMail {
  std::optional<LocalMailSettings> settings;
  std::string warning;
};
SubmitMail submit_mail(const ge::SubmitRequest& request, const site::SiteConfig& site,
                       const std::vector<std::pair<std::string, std::string>>& environment);

// "<task>.<b|e|a>", the event's mark in LocalJob::mail_sent.
std::string mail_mark(const mail::MailEvent& event);

// The events the record calls for now that are not marked sent, per task in the order they
// happened (begin, then end or abort). Pure. `time_limit_seconds`: the job's h_rt, to tell a
// task the supervisor killed at its limit from one killed by someone else.
std::vector<mail::MailEvent> decide_local_mail_events(
    const LocalJob& job, std::optional<std::uint64_t> time_limit_seconds);

// Recipients of the job's mail: its -M addresses (plausible addresses, or local user names,
// which sendmail delivers on this host), else the job's owner as Grid Engine did; at most
// `max_recipients`.
std::vector<std::string> local_mail_recipients(const LocalJob& job, int max_recipients);

class MailNotifier {
 public:
  MailNotifier(LocalMailSettings settings, std::optional<std::uint64_t> time_limit_seconds,
               std::unique_ptr<mail::MailSender> sender);

  // Sends what job `id`'s record calls for and has not been sent, then marks it in the record
  // (under the records lock). Sending happens outside the lock: a slow sendmail never holds up
  // qdel or qstat.
  void notify(StateStore& store, long long id, std::chrono::system_clock::time_point now);

 private:
  LocalMailSettings settings_;
  std::optional<std::uint64_t> time_limit_seconds_;
  std::unique_ptr<mail::MailSender> sender_;
};

// The supervisor's notifier: sendmail as `settings` say; nullptr when the job sends no mail.
std::unique_ptr<MailNotifier> sendmail_notifier(const std::optional<LocalMailSettings>& settings,
                                                std::optional<std::uint64_t> time_limit_seconds);

}  // namespace k8sjobs::local
