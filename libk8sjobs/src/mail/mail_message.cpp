// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/mail/mail_message.h"

#include <ctime>

namespace k8sjobs::mail {

namespace {

bool plain_ascii(const std::string& text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

// A header value: one line, no control characters.
std::string header_text(const std::string& text) {
  std::string out;
  for (unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return out;
}

// Lines end in CRLF; a lone CR or other control character (but tab) becomes '?'.
std::string crlf_body(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16 + 2);
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\r\n";
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      out += '?';
    } else {
      out += static_cast<char>(c);
    }
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

}  // namespace

BatchMail compose_batch(const std::vector<EventText>& events) {
  BatchMail mail;
  if (events.size() == 1) {
    mail.subject = events.front().subject;
    mail.body = events.front().body;
    return mail;
  }
  mail.subject = "k8sjobs: " + std::to_string(events.size()) + " job events";
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0) mail.body += "\n\n";
    mail.body += events[i].body;
  }
  return mail;
}

std::string rfc5322_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday % 7],
                utc.tm_mday, kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

std::string render_message(const Envelope& envelope, const BatchMail& mail) {
  const bool ascii = plain_ascii(mail.body) && plain_ascii(mail.subject);
  std::string message;
  message += "Date: " + rfc5322_date(envelope.date) + "\r\n";
  message += "From: " + header_text(envelope.from) + "\r\n";
  message += "To: " + header_text(envelope.to) + "\r\n";
  message += "Subject: " + header_text(mail.subject) + "\r\n";
  message += "Message-ID: " + header_text(envelope.message_id) + "\r\n";
  message += "MIME-Version: 1.0\r\n";
  message +=
      std::string("Content-Type: text/plain; charset=") + (ascii ? "us-ascii" : "utf-8") + "\r\n";
  message += std::string("Content-Transfer-Encoding: ") + (ascii ? "7bit" : "8bit") + "\r\n";
  message += "Auto-Submitted: auto-generated\r\n";
  message += "\r\n";
  message += crlf_body(mail.body);
  return message;
}

}  // namespace k8sjobs::mail
