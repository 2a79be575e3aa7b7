// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/mail_controller.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>

#include "k8sjobs/controller/job_view_listing.h"
#include "k8sjobs/controller/mail_decision.h"
#include "k8sjobs/jobs/kube_job_view.h"
#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/mail/mail_address.h"
#include "k8sjobs/mail/mail_message.h"
#include "k8sjobs/status/controller_metrics.h"
#include "k8sjobs/text/fnv1a.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

constexpr int kOutboxWriteAttempts = 5;

std::string where(const std::string& ns) {
  return "namespace " + ns;
}

// Applies `change` to the outbox's data and writes it back as an update of the version read;
// on 409 Conflict reads again. `change` returns whether it changed anything. A missing outbox
// is created when `create` is set (else there is nothing to change).
bool update_outbox(kube::KubeClient& client, const std::string& ns, bool create,
                   const std::function<bool(json& data)>& change) {
  for (int attempt = 0; attempt < kOutboxWriteAttempts; ++attempt) {
    auto current = client.get(kube::resources::kConfigMaps, ns, kMailOutboxName);
    if (!current && current.error().is(kube::StatusReason::NotFound)) {
      if (!create) return true;
      json data = json::object();
      if (!change(data)) return true;
      json object = {{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata",
                      {{"name", kMailOutboxName},
                       {"namespace", ns},
                       {"labels", {{translate::kManagedByLabel, translate::kManagedByValue}}}}},
                     {"data", data}};
      auto created = client.create(kube::resources::kConfigMaps, ns, object);
      if (created) return true;
      if (created.error().is(kube::StatusReason::AlreadyExists)) continue;
      log_warning("{}: cannot create configmap/{}: {}", where(ns), kMailOutboxName,
                  created.error().describe());
      return false;
    }
    if (!current) {
      log_warning("{}: cannot read configmap/{}: {}", where(ns), kMailOutboxName,
                  current.error().describe());
      return false;
    }
    json object = std::move(*current);
    json data =
        object.contains("data") && object["data"].is_object() ? object["data"] : json::object();
    if (!change(data)) return true;
    object["data"] = std::move(data);
    auto replaced = client.replace(kube::resources::kConfigMaps, ns, kMailOutboxName, object);
    if (replaced) return true;
    if (replaced.error().is(kube::StatusReason::Conflict)) continue;
    log_warning("{}: cannot update configmap/{}: {}", where(ns), kMailOutboxName,
                replaced.error().describe());
    return false;
  }
  log_warning("{}: configmap/{} kept changing; trying again next pass", where(ns), kMailOutboxName);
  return false;
}

std::string message_id(const std::string& from, const std::string& recipient,
                       const std::vector<std::string>& keys,
                       std::chrono::system_clock::time_point now) {
  std::string seed = recipient;
  for (const auto& key : keys) seed += "|" + key;
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  char text[64];
  std::snprintf(text, sizeof text, "%016llx.%lld",
                static_cast<unsigned long long>(text::fnv1a_64(seed)),
                static_cast<long long>(micros));
  return "<k8sjobs." + std::string(text) + from.substr(from.find('@')) + ">";
}

}  // namespace

MailController::MailController(kube::KubeClient& client, sys::Clock& clock,
                               mail::MailSender& sender, MailPolicy policy)
    : client_(client), clock_(clock), sender_(sender), policy_(std::move(policy)) {}

std::vector<MailController::Pending> MailController::decide_records(const std::vector<json>& jobs,
                                                                    const std::vector<json>& pods,
                                                                    bool deleted) {
  jobs::JobViewCollector collector;
  std::map<std::pair<std::string, std::string>, const json*> by_name;
  for (const auto& job : jobs) {
    collector.add_job(job);
    const json& metadata = untrusted::object_member(job, "metadata");
    by_name[{untrusted::string_or(metadata, "namespace"), untrusted::string_or(metadata, "name")}] =
        &job;
  }
  for (const auto& pod : pods) collector.add_pod(pod);
  std::vector<jobs::JobRecord> records = collector.take_records();
  for (const auto& warning : collector.take_warnings()) log_debug("{}", warning);

  const auto now = clock_.now();
  std::vector<Pending> pending;
  for (const auto& record : records) {
    auto object = std::find_if(record.backend_objects.begin(), record.backend_objects.end(),
                               [](const auto& kind_name) { return kind_name.first == "Job"; });
    if (object == record.backend_objects.end()) continue;  // continuous jobs: no mail
    auto job = by_name.find({record.backend_namespace, object->second});
    if (job == by_name.end()) continue;
    const MailFacts facts = read_mail_facts(*job->second);
    std::vector<mail::MailEvent> events = decide_mail_events(record, facts, deleted, now);
    if (events.empty()) continue;

    const std::string list =
        record.mail_list.empty() ? record.owner + "@" + policy_.default_domain : record.mail_list;
    mail::Recipients recipients = mail::parse_recipients(list, policy_.max_recipients);
    for (const auto& rejected : recipients.rejected)
      log_warning("job {} in {}: mail recipient {}: skipped", record.id,
                  where(record.backend_namespace), rejected);
    if (recipients.accepted.empty()) {
      log_warning("job {} in {}: no mail recipient left: its mail is not sent", record.id,
                  where(record.backend_namespace));
    }
    Pending item;
    item.namespace_name = record.backend_namespace;
    item.job_name = object->second;
    item.marks = facts.queued;
    for (const auto& event : events) {
      item.marks.insert(queued_mark(event));
      if (!recipients.accepted.empty())
        item.entries.push_back(outbox_entry(event, recipients.accepted, now));
    }
    pending.push_back(std::move(item));
  }
  return pending;
}

kube::Result<std::vector<MailController::Pending>> MailController::decide(const std::string& ns) {
  auto listed = list_job_view_objects(client_, ns);
  if (!listed) return unexpected(listed.error());
  return decide_records(listed->jobs, listed->pods, /*deleted=*/false);
}

bool MailController::enqueue(const std::string& ns, const std::vector<OutboxEntry>& entries) {
  if (entries.empty()) return true;
  return update_outbox(client_, ns, /*create=*/true, [&](json& data) {
    bool changed = false;
    for (const auto& entry : entries) {
      if (data.contains(entry.key)) continue;  // queued before: the same event
      data[entry.key] = encode_outbox_entry(entry);
      changed = true;
    }
    return changed;
  });
}

int MailController::on_deleted(const json& job, const MayAct& may_act) {
  int queued = 0;
  for (const auto& item : decide_records({job}, {}, /*deleted=*/true)) {
    if (item.entries.empty()) continue;
    if (!may_act()) return queued;
    if (enqueue(item.namespace_name, item.entries)) {
      queued += static_cast<int>(item.entries.size());
      log_info("job/{} in {}: deleted: {} mail event(s) queued", item.job_name,
               where(item.namespace_name), item.entries.size());
    }
  }
  return queued;
}

bool MailController::mark_sent(const std::string& ns, const std::string& recipient,
                               const std::vector<std::string>& keys) {
  return update_outbox(client_, ns, /*create=*/false, [&](json& data) {
    bool changed = false;
    for (const auto& key : keys) {
      if (!data.contains(key) || !data[key].is_string()) continue;
      auto entry = decode_outbox_entry(key, data[key].get<std::string>());
      if (!entry) continue;
      auto& to = entry->recipients;
      auto found = std::find(to.begin(), to.end(), recipient);
      if (found == to.end()) continue;
      to.erase(found);
      if (to.empty()) {
        data.erase(key);
      } else {
        data[key] = encode_outbox_entry(*entry);
      }
      changed = true;
    }
    return changed;
  });
}

void MailController::send_due(const std::string& ns, const json& outbox, const MayAct& may_act,
                              MailPassSummary& summary) {
  std::vector<OutboxEntry> entries;
  std::vector<std::string> garbage;
  for (const auto& [key, value] : untrusted::object_member(outbox, "data").items()) {
    auto entry = value.is_string() ? decode_outbox_entry(key, value.get<std::string>())
                                   : decode_outbox_entry(key, "");
    if (!entry) {
      log_warning("{}: configmap/{}: {}: removed", where(ns), kMailOutboxName, entry.error());
      garbage.push_back(key);
      continue;
    }
    entries.push_back(std::move(*entry));
  }
  if (!garbage.empty() && may_act()) {
    update_outbox(client_, ns, /*create=*/false, [&](json& data) {
      for (const auto& key : garbage) data.erase(key);
      return true;
    });
  }
  summary.pending += static_cast<int>(entries.size());
  const auto now = clock_.now();
  if (retry_at_ && now < *retry_at_) return;  // the relay failed a moment ago
  for (const auto& batch : due_batches(entries, now, policy_.batch_window)) {
    if (!may_act()) return;
    mail::Envelope envelope;
    envelope.from = policy_.from;
    envelope.to = batch.recipient;
    envelope.date = now;
    envelope.message_id = message_id(policy_.from, batch.recipient, batch.keys, now);
    auto sent = sender_.send(batch.recipient, mail::render_message(envelope, batch.mail));
    if (!sent) {
      backoff_ = backoff_.count() == 0 ? policy_.initial_backoff
                                       : std::min(backoff_ * 2, policy_.max_backoff);
      retry_at_ = clock_.now() + backoff_;
      log_warning("{}: mail to {} ({} event(s)) not sent: {}; trying again in {} s", where(ns),
                  batch.recipient, batch.keys.size(), sent.error(), backoff_.count());
      ++summary.failed;
      ++summary.send_failed;
      return;
    }
    backoff_ = std::chrono::seconds(0);
    retry_at_.reset();
    ++summary.sent;
    log_info("{}: mail to {} sent: {}", where(ns), batch.recipient,
             untrusted::quoted(batch.mail.subject));
    if (!mark_sent(ns, batch.recipient, batch.keys)) {
      // Sent but still queued: it goes out again next pass (ARCHITECTURE.md, "Mail").
      ++summary.failed;
    }
  }
}

kube::Result<MailPassSummary> MailController::reconcile(const std::string& ns,
                                                        const MayAct& may_act) {
  MailPassSummary summary;
  auto pending = decide(ns);
  if (!pending) return unexpected(pending.error());
  for (const auto& item : *pending) {
    if (!may_act()) {
      ++summary.failed;
      continue;
    }
    if (!enqueue(item.namespace_name, item.entries)) {
      ++summary.failed;
      continue;
    }
    summary.queued += static_cast<int>(item.entries.size());
    json patch = {
        {"metadata", {{"annotations", {{kMailQueuedAnnotation, queued_annotation(item.marks)}}}}}};
    auto patched = client_.patch(kube::resources::kJobs, item.namespace_name, item.job_name,
                                 kube::PatchType::Merge, patch);
    if (!patched && !patched.error().is(kube::StatusReason::NotFound)) {
      // Queued all the same: the next pass queues the same keys again, a no-op.
      log_warning("job/{} in {}: not marked as mailed: {}", item.job_name,
                  where(item.namespace_name), patched.error().describe());
    }
  }

  std::vector<std::pair<std::string, json>> outboxes;
  if (ns.empty()) {
    kube::ListOptions options;
    options.label_selector = translate::managed_by_selector();
    options.field_selector = std::string("metadata.name=") + kMailOutboxName;
    auto listed = client_.list_all(kube::resources::kConfigMaps, "", options);
    if (!listed) return unexpected(listed.error());
    for (auto& item : listed->items) {
      std::string name = untrusted::string_or(untrusted::object_member(item, "metadata"), "name");
      std::string space =
          untrusted::string_or(untrusted::object_member(item, "metadata"), "namespace");
      if (name == kMailOutboxName && !space.empty()) outboxes.emplace_back(space, std::move(item));
    }
  } else {
    auto outbox = client_.get(kube::resources::kConfigMaps, ns, kMailOutboxName);
    if (outbox) {
      outboxes.emplace_back(ns, std::move(*outbox));
    } else if (!outbox.error().is(kube::StatusReason::NotFound)) {
      return unexpected(outbox.error());
    }
  }
  for (const auto& [space, outbox] : outboxes) send_due(space, outbox, may_act, summary);
  return summary;
}

Expected<std::optional<MailSetup>, std::string> mail_setup_from(const site::SiteConfig& site) {
  if (site.mail.relay.empty()) return std::optional<MailSetup>();
  auto smtp = mail::smtp_settings_from(site.mail);
  if (!smtp) return unexpected(smtp.error());
  MailSetup setup;
  setup.smtp = std::move(*smtp);
  setup.policy.from = site.mail.from_address();
  setup.policy.default_domain = site.mail.default_domain;
  setup.policy.batch_window = site.mail.batch_window;
  setup.policy.max_recipients = site.mail.max_recipients;
  return std::optional<MailSetup>(std::move(setup));
}

void record_mail_pass(const MailPassSummary& pass, status::MetricsRegistry& metrics) {
  metrics.add(status::metric::kMailQueued, {}, pass.queued);
  metrics.add(status::metric::kMailSent, {}, pass.sent);
  metrics.add(status::metric::kMailFailures, {}, pass.send_failed);
}

void run_mail_loop(const std::vector<std::string>& scopes, const ClientFactory& make_client,
                   sys::Clock& clock, const MailSetup& setup, const MayAct& is_leader,
                   const std::atomic<bool>& stop, status::MetricsRegistry& metrics) {
  for (const auto& ns : scopes) {
    std::thread([&make_client, &clock, &setup, &is_leader, &stop, &metrics, ns] {
      auto client = make_client();
      mail::SmtpSender sender(setup.smtp);
      MailController mailer(*client, clock, sender, setup.policy);
      kube::WatchOptions watch;
      watch.label_selector = translate::managed_by_selector();
      watch.server_timeout = std::chrono::seconds(60);
      while (!stop) {
        auto watched =
            client->watch(kube::resources::kJobs, ns, watch, [&](const kube::WatchEvent& event) {
              if (event.type == "DELETED" && is_leader()) {
                if (int queued = mailer.on_deleted(event.object, is_leader); queued > 0)
                  metrics.add(status::metric::kMailQueued, {}, queued);
              }
              return stop ? kube::WatchControl::Stop : kube::WatchControl::Continue;
            });
        if (!watched && !stop) clock.sleep_for(std::chrono::seconds(2));
      }
    }).detach();  // blocked in a watch at exit: the process ends without waiting for it
  }
  auto client = make_client();
  mail::SmtpSender sender(setup.smtp);
  MailController mailer(*client, clock, sender, setup.policy);
  const auto interval =
      std::clamp(setup.policy.batch_window, std::chrono::seconds(2), std::chrono::seconds(10));
  while (!stop) {
    if (is_leader()) {
      for (const auto& ns : scopes) {
        auto pass = mailer.reconcile(ns, is_leader);
        if (!pass) {
          log_warning("mail in {}: {}", ns.empty() ? "all namespaces" : where(ns),
                      pass.error().describe());
          continue;
        }
        record_mail_pass(*pass, metrics);
      }
    }
    for (auto waited = std::chrono::seconds(0); waited < interval && !stop;
         waited += std::chrono::seconds(1))
      std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace k8sjobs::controller
