// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/mail_outbox.h"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "k8sjobs/jobs/untrusted_fields.h"
#include "k8sjobs/mail/mail_address.h"
#include "k8sjobs/text/rfc3339.h"

namespace k8sjobs::controller {

namespace untrusted = jobs::untrusted;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxText = 64 * 1024;

struct KeyParts {
  long long job = 0;
  long long task = 0;
  int kind_order = 0;
};

Expected<KeyParts, std::string> parse_key(const std::string& key) {
  const std::size_t first = key.find('.');
  const std::size_t second = first == std::string::npos ? first : key.find('.', first + 1);
  if (second == std::string::npos || key.size() != second + 2)
    return unexpected(std::string("is not <job>.<task>.<b|e|a>"));
  auto job = untrusted::parse_job_number(key.substr(0, first));
  auto task = untrusted::parse_decimal(key.substr(first + 1, second - first - 1), 0, 1000000000);
  const std::size_t kind = std::string("bea").find(key.back());
  if (!job || !task || kind == std::string::npos)
    return unexpected(std::string("is not <job>.<task>.<b|e|a>"));
  return KeyParts{*job, *task, static_cast<int>(kind)};
}

}  // namespace

std::string outbox_key(const mail::MailEvent& event) {
  return std::to_string(event.job_id) + "." + std::to_string(event.task_id) + "." +
         mail::letter_of(event.kind);
}

OutboxEntry outbox_entry(const mail::MailEvent& event, std::vector<std::string> recipients,
                         std::chrono::system_clock::time_point now) {
  OutboxEntry entry;
  entry.key = outbox_key(event);
  entry.recipients = std::move(recipients);
  entry.queued_at = now;
  entry.subject = mail::ge_subject(event);
  entry.body = mail::ge_body(event);
  return entry;
}

std::string encode_outbox_entry(const OutboxEntry& entry) {
  json value;
  value["to"] = entry.recipients;
  value["queued"] = text::format_rfc3339(entry.queued_at);
  value["subject"] = entry.subject;
  value["body"] = entry.body;
  // Names from the cluster may hold bytes that are not UTF-8: replace them rather than throw.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<OutboxEntry, std::string> decode_outbox_entry(const std::string& key,
                                                       const std::string& value) {
  const std::string name = "outbox entry " + untrusted::quoted(key);
  if (auto parts = parse_key(key); !parts) return unexpected(name + ": the key " + parts.error());
  json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return unexpected(name + ": the value is not a JSON object");
  OutboxEntry entry;
  entry.key = key;
  const auto queued = text::parse_rfc3339(untrusted::string_or(parsed, "queued"));
  if (!queued) return unexpected(name + ": \"queued\" is not an RFC 3339 time");
  entry.queued_at = *queued;
  const auto subject = untrusted::string_member(parsed, "subject");
  const auto body = untrusted::string_member(parsed, "body");
  if (!subject || !body || subject->size() > 1024 || body->size() > kMaxText)
    return unexpected(name + ": \"subject\" or \"body\" is missing or too long");
  entry.subject = *subject;
  entry.body = *body;
  const json* to = untrusted::member(parsed, "to");
  if (to == nullptr || !to->is_array()) return unexpected(name + ": \"to\" is not a list");
  for (const auto& address : *to) {
    if (!address.is_string() || !mail::plausible_address(address.get<std::string>()))
      return unexpected(name + ": \"to\" holds something that is not a mail address");
    entry.recipients.push_back(address.get<std::string>());
  }
  return entry;
}

std::vector<MailBatch> due_batches(const std::vector<OutboxEntry>& entries,
                                   std::chrono::system_clock::time_point now,
                                   std::chrono::seconds window) {
  std::vector<const OutboxEntry*> ordered;
  for (const auto& entry : entries)
    if (parse_key(entry.key)) ordered.push_back(&entry);
  std::sort(ordered.begin(), ordered.end(), [](const OutboxEntry* a, const OutboxEntry* b) {
    const KeyParts ka = *parse_key(a->key);
    const KeyParts kb = *parse_key(b->key);
    return std::tie(a->queued_at, ka.job, ka.task, ka.kind_order) <
           std::tie(b->queued_at, kb.job, kb.task, kb.kind_order);
  });
  std::map<std::string, std::vector<const OutboxEntry*>> by_recipient;
  for (const OutboxEntry* entry : ordered)
    for (const auto& recipient : entry->recipients) by_recipient[recipient].push_back(entry);
  std::vector<MailBatch> batches;
  for (const auto& [recipient, listed] : by_recipient) {
    if (listed.empty() || listed.front()->queued_at + window > now) continue;
    MailBatch batch;
    batch.recipient = recipient;
    std::vector<mail::EventText> texts;
    for (const OutboxEntry* entry : listed) {
      batch.keys.push_back(entry->key);
      texts.push_back({entry->subject, entry->body});
    }
    batch.mail = mail::compose_batch(texts);
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace k8sjobs::controller
