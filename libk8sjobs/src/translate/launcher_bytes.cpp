// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/translate/launcher_bytes.h"

#include <cstdio>

#include "k8sjobs/text/utf8.h"

namespace k8sjobs::translate {

namespace {

std::string octal_escape(unsigned char byte) {
  char text[5];
  std::snprintf(text, sizeof text, "\\%03o", static_cast<unsigned>(byte));
  return text;
}

// The launcher's own variables; the user's program never sees them (not exported).
std::string word_variable(std::size_t position) {
  return "k8sjobs_word_" + std::to_string(position);
}

std::string positional(std::size_t position) {
  return "${" + std::to_string(position) + "}";
}

}  // namespace

std::string printf_format_of(std::string_view word) {
  std::string out;
  for (std::size_t at = 0; at < word.size();) {
    const std::size_t length = text::utf8_sequence_length(word, at);
    if (length == 0) {
      out += octal_escape(static_cast<unsigned char>(word[at]));
      ++at;
      continue;
    }
    if (word[at] == '\\') {
      out += "\\\\";
    } else if (word[at] == '%') {
      out += "%%";
    } else {
      out.append(word.substr(at, length));
    }
    at += length;
  }
  return out;
}

std::string double_quoted(std::string_view text) {
  std::string out = "\"";
  std::string invalid_run;  // octal escapes of the bytes not yet written
  auto flush = [&] {
    if (invalid_run.empty()) return;
    out += "`printf '" + invalid_run + "'`";
    invalid_run.clear();
  };
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = text::utf8_sequence_length(text, at);
    if (length == 0) {
      invalid_run += octal_escape(static_cast<unsigned char>(text[at]));
      ++at;
      continue;
    }
    flush();
    const char c = text[at];
    if (c == '"' || c == '\\' || c == '$' || c == '`') out.push_back('\\');
    out.append(text.substr(at, length));
    at += length;
  }
  flush();
  out.push_back('"');
  return out;
}

bool is_shell_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

std::string restore_bytes_script(const CarriedBytes& carried) {
  std::string script;
  if (carried.working_dir) script += "cd " + double_quoted(*carried.working_dir) + " || exit 1\n";
  for (const auto& [name, value] : carried.exported) {
    script += name + "=" + double_quoted(value) + "\nexport " + name + "\n";
  }
  if (carried.encoded_words.empty()) return script;
  // printf's output is framed by '_' on both sides: command substitution drops trailing
  // newlines, and a format starting with '-' could be read as an option.
  for (std::size_t position : carried.encoded_words) {
    const std::string variable = word_variable(position);
    script += variable + "=`printf \"_" + positional(position) + "_\"`\n";
    script += variable + "=${" + variable + "#_}\n";
    script += variable + "=${" + variable + "%_}\n";
  }
  script += "set --";
  std::size_t next_encoded = 0;
  for (std::size_t position = 1; position <= carried.word_count; ++position) {
    const bool encoded = next_encoded < carried.encoded_words.size() &&
                         carried.encoded_words[next_encoded] == position;
    if (encoded) ++next_encoded;
    script += " \"" + (encoded ? "$" + word_variable(position) : positional(position)) + "\"";
  }
  script += "\n";
  return script;
}

}  // namespace k8sjobs::translate
