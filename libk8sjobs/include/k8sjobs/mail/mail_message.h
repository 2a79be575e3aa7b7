// SPDX-License-Identifier: Apache-2.0
#pragma once
// One mail to one recipient listing the events of a batch window, as an RFC 5322 message
// (Date, From, To, Subject, Message-ID, MIME headers; CRLF line ends). One event: Grid
// Engine's own subject and body; several: "k8sjobs: N job events" and each event's body in
// turn. SMTP dot-stuffing is left to the sender (libcurl does it).

#include <chrono>
#include <string>
#include <vector>

namespace k8sjobs::mail {

struct EventText {
  std::string subject;  // Grid Engine's subject line
  std::string body;     // Grid Engine's body
};

struct BatchMail {
  std::string subject;
  std::string body;  // LF line ends
};

BatchMail compose_batch(const std::vector<EventText>& events);

struct Envelope {
  std::string from;        // plausible_address() checked
  std::string to;          // plausible_address() checked
  std::string message_id;  // "<...@...>"
  std::chrono::system_clock::time_point date;
};

// The message as sent: headers, a blank line, the body; every line ends in CRLF, control
// characters other than tab are replaced in the subject and body, long lines are left as they
// are (Grid Engine's lines are short).
std::string render_message(const Envelope& envelope, const BatchMail& mail);

// RFC 5322 date in UTC: "Fri, 04 Dec 2026 12:41:12 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point time);

}  // namespace k8sjobs::mail
