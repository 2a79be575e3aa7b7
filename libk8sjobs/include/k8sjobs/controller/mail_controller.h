// SPDX-License-Identifier: Apache-2.0
#pragma once
// Sending Grid Engine's mails (-m b, e, a): the I/O around decide_mail_events and the outbox.
// Everything pending lives in the cluster, so a restarted or newly elected controller sends
// what its predecessor queued:
// 1. queue: LIST k8sjobs' Jobs and pods, derive their JobRecords (as qstat does), decide the
//    events; write each as a key of the namespace's outbox ConfigMap (an update of the version
//    read; 409 Conflict: read again and retry), then mark the Job (k8sjobs.io/mail-queued) so
//    later passes skip it. A crash between the two writes queues the same keys again: no-op.
// 2. send: per recipient, once the oldest event waited the batch window, one mail through the
//    relay; only after the relay accepted it is the recipient taken off those keys (a key with
//    no recipient left is removed). A relay that fails is tried again with exponential backoff
//    (5 s doubling up to 10 min), with one warning per failure.
// Only the leader does either (`may_act` is asked before each write and each send).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/controller/mail_outbox.h"
#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/kube/client.h"
#include "k8sjobs/mail/smtp_sender.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/status/metrics_registry.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::controller {

struct MailPolicy {
  std::string from;            // envelope and From header
  std::string default_domain;  // a job without -M mails <owner>@<domain>
  std::chrono::seconds batch_window{60};
  int max_recipients = 20;
  std::chrono::seconds initial_backoff{5};
  std::chrono::seconds max_backoff{600};
};

struct MailPassSummary {
  int queued = 0;       // events written to an outbox
  int sent = 0;         // mails the relay accepted
  int pending = 0;      // events left in outboxes (not due, or the relay failed)
  int failed = 0;       // failed writes or sends
  int send_failed = 0;  // of those, mails the relay refused or could not take
};

class MailController {
 public:
  // `client`, `clock` and `sender` must outlive it.
  MailController(kube::KubeClient& client, sys::Clock& clock, mail::MailSender& sender,
                 MailPolicy policy);

  // Both steps over namespace `ns` ("" for all namespaces).
  kube::Result<MailPassSummary> reconcile(const std::string& ns, const MayAct& may_act);
  // Step 1 for a Job a watch reported DELETED (its last state): the abort mail of qdel.
  // Returns the events queued.
  int on_deleted(const nlohmann::json& job, const MayAct& may_act);

 private:
  struct Pending {
    std::string namespace_name;
    std::string job_name;
    std::set<std::string> marks;  // after queueing: the Job's whole annotation
    std::vector<OutboxEntry> entries;
  };
  kube::Result<std::vector<Pending>> decide(const std::string& ns);
  std::vector<Pending> decide_records(const std::vector<nlohmann::json>& jobs,
                                      const std::vector<nlohmann::json>& pods, bool deleted);
  bool enqueue(const std::string& ns, const std::vector<OutboxEntry>& entries);
  void send_due(const std::string& ns, const nlohmann::json& outbox, const MayAct& may_act,
                MailPassSummary& summary);
  // Takes `recipient` off `keys` (removing keys with nobody left), retrying on 409.
  bool mark_sent(const std::string& ns, const std::string& recipient,
                 const std::vector<std::string>& keys);

  kube::KubeClient& client_;
  sys::Clock& clock_;
  mail::MailSender& sender_;
  MailPolicy policy_;
  // Relay backoff: in memory on purpose (only a schedule; what is pending is in the cluster).
  std::optional<std::chrono::system_clock::time_point> retry_at_;
  std::chrono::seconds backoff_{0};
};

// What the controller needs to send mail, from the site configuration's `mail` section:
// nullopt when mail.relay is not set (no mail is queued or sent); an error for a password
// file that cannot be read.
struct MailSetup {
  mail::SmtpSettings smtp;
  MailPolicy policy;
};
Expected<std::optional<MailSetup>, std::string> mail_setup_from(const site::SiteConfig& site);

// A pass's queued events, sent mails and failed sends into the mail counters of /metrics.
void record_mail_pass(const MailPassSummary& pass, status::MetricsRegistry& metrics);

using ClientFactory = std::function<std::unique_ptr<kube::KubeClient>()>;

// The run loop's mail work until `stop`: a pass over every scope every few seconds (the batch
// window, between 2 and 10 s) while `is_leader`, and a watch per scope whose DELETED Jobs get
// their abort mail queued. Returns when `stop` is set (the watches end with the process).
// Counts queued events, sent mails and failed sends in `metrics`.
void run_mail_loop(const std::vector<std::string>& scopes, const ClientFactory& make_client,
                   sys::Clock& clock, const MailSetup& setup, const MayAct& is_leader,
                   const std::atomic<bool>& stop, status::MetricsRegistry& metrics);

}  // namespace k8sjobs::controller
