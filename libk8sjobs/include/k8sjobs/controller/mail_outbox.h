// SPDX-License-Identifier: Apache-2.0
#pragma once
// The mail outbox, pure: what k8sjobs-controller keeps in each namespace's ConfigMap
// k8sjobs-mail-outbox until the relay accepted it. One data key per event,
// "<job>.<task>.<b|e|a>", so queueing the same event twice writes the same key; its value is
// JSON: {"to": [recipients still to send to], "queued": RFC 3339, "subject": ..., "body": ...}.
// A ConfigMap may be edited by anyone with the right: decoding checks every field.
//
// Batching as Toolforge's emailer did: the events of one recipient go out as one mail once the
// oldest of them has waited the batch window.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/mail/mail_event.h"
#include "k8sjobs/mail/mail_message.h"

namespace k8sjobs::controller {

inline constexpr const char* kMailOutboxName = "k8sjobs-mail-outbox";

struct OutboxEntry {
  std::string key;                      // "<job>.<task>.<letter>"
  std::vector<std::string> recipients;  // still to send to
  std::chrono::system_clock::time_point queued_at;
  std::string subject;
  std::string body;
};

std::string outbox_key(const mail::MailEvent& event);
OutboxEntry outbox_entry(const mail::MailEvent& event, std::vector<std::string> recipients,
                         std::chrono::system_clock::time_point now);

std::string encode_outbox_entry(const OutboxEntry& entry);
// The entry, or why the key or value is not one (printable, for a log line).
Expected<OutboxEntry, std::string> decode_outbox_entry(const std::string& key,
                                                       const std::string& value);

struct MailBatch {
  std::string recipient;
  std::vector<std::string> keys;  // the entries it lists, in order
  mail::BatchMail mail;
};

// The batches due at `now`: per recipient, every entry listing it, once its oldest entry is at
// least `window` old. Entries ordered by queue time, then job, task and b, e, a.
std::vector<MailBatch> due_batches(const std::vector<OutboxEntry>& entries,
                                   std::chrono::system_clock::time_point now,
                                   std::chrono::seconds window);

}  // namespace k8sjobs::controller
