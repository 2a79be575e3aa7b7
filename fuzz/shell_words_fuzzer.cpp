// SPDX-License-Identifier: Apache-2.0
// The shell tokenizer and the grid-command finder (cron/shell_words.h, cron/command_finder.h)
// over any text: a cron command as typed. Checks that spans and origins stay inside the text,
// that what splits into words splits into the same words again once each is quoted, and that
// the finder's classification agrees with what it returns.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "k8sjobs/cron/command_finder.h"
#include "k8sjobs/cron/shell_words.h"

namespace {

using k8sjobs::cron::ShellWord;

void check_word(const ShellWord& word, std::size_t text_size) {
  FUZZ_CHECK(word.begin <= word.end);
  FUZZ_CHECK(word.end <= text_size);
  FUZZ_CHECK(word.origins.size() == word.value.size());
  for (const std::size_t origin : word.origins) FUZZ_CHECK(origin < text_size);
}

// Single quotes keep every byte; a quote itself is '\''.
std::string single_quoted(const std::string& word) {
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

void check_tokens(std::string_view text) {
  const auto tokens = k8sjobs::cron::tokenize_shell(text);
  if (!tokens) {
    FUZZ_CHECK(!tokens.error().reason.empty());
    FUZZ_CHECK(tokens.error().offset <= text.size());
    return;
  }
  std::size_t previous_end = 0;
  std::vector<std::string> words;
  for (const auto& token : *tokens) {
    FUZZ_CHECK(token.begin <= token.end);
    FUZZ_CHECK(token.end <= text.size());
    FUZZ_CHECK(token.begin >= previous_end);
    previous_end = token.end;
    switch (token.kind) {
      case k8sjobs::cron::ShellTokenKind::Word:
        check_word(token.word, text.size());
        FUZZ_CHECK(token.word.begin == token.begin && token.word.end == token.end);
        words.push_back(token.word.value);
        break;
      case k8sjobs::cron::ShellTokenKind::Operator:
        FUZZ_CHECK(!token.op.empty());
        break;
      case k8sjobs::cron::ShellTokenKind::Redirection:
        FUZZ_CHECK(!token.op.empty());
        check_word(token.word, text.size());
        break;
    }
  }
  const auto split = k8sjobs::cron::split_shell_words(text);
  FUZZ_CHECK(split && *split == words);

  std::string requoted;
  for (const auto& word : words) requoted += single_quoted(word) + " ";
  const auto again = k8sjobs::cron::split_shell_words(requoted);
  FUZZ_CHECK(again && *again == words);
}

void check_grid_commands(std::string_view text) {
  const auto scan = k8sjobs::cron::find_grid_commands(text);
  switch (scan.classification) {
    case k8sjobs::cron::CommandClass::Grid:
      FUZZ_CHECK(!scan.commands.empty());
      break;
    case k8sjobs::cron::CommandClass::Local:
      FUZZ_CHECK(scan.commands.empty());
      break;
    case k8sjobs::cron::CommandClass::Unparsable:
      FUZZ_CHECK(scan.error.has_value());
      break;
  }
  for (const auto& command : scan.commands) {
    FUZZ_CHECK(command.begin <= command.end);
    FUZZ_CHECK(command.end <= text.size());
    FUZZ_CHECK(k8sjobs::cron::grid_command_name(command.invoked_as) == command.name);
    FUZZ_CHECK(command.words.size() == command.argv.size());
    for (std::size_t i = 0; i < command.words.size(); ++i) {
      FUZZ_CHECK(command.words[i].value == command.argv[i]);
      check_word(command.words[i], text.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_tokens(text);
  check_grid_commands(text);
  return 0;
}
