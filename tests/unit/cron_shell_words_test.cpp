#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "k8sjobs/cron/shell_words.h"

namespace k8sjobs::cron {
namespace {

using Words = std::vector<std::string>;

Words words(std::string_view text) {
  auto result = split_shell_words(text);
  EXPECT_TRUE(result.has_value()) << text << ": " << (result ? "" : result.error().reason);
  return result ? *result : Words{};
}

std::vector<ShellToken> tokens(std::string_view text) {
  auto result = tokenize_shell(text);
  EXPECT_TRUE(result.has_value()) << text;
  return result ? *result : std::vector<ShellToken>{};
}

TEST(CronShellWords, QuoteRemoval) {
  EXPECT_EQ(words("a  b\tc"), (Words{"a", "b", "c"}));
  EXPECT_EQ(words("'a b' \"c d\" e\\ f"), (Words{"a b", "c d", "e f"}));
  EXPECT_EQ(words("'it'\\''s' x\"y\"z"), (Words{"it's", "xyz"}));
  EXPECT_EQ(words("\"a\\\"b\\\\c\\d\\$e\""), (Words{"a\"b\\c\\d$e"}));
  EXPECT_EQ(words("'a\\b' \"\" ''"), (Words{"a\\b", "", ""}));
  EXPECT_EQ(words("curl 'https://x.org/?purge'"), (Words{"curl", "https://x.org/?purge"}));
  EXPECT_EQ(words("a # comment 'unterminated"), (Words{"a"}));
  EXPECT_EQ(words("a#b"), (Words{"a#b"}));
  EXPECT_EQ(words("end\\"), (Words{"end\\"}));
  EXPECT_EQ(words(""), Words{});
}

TEST(CronShellWords, ExpansionsStayAsTyped) {
  EXPECT_EQ(words("$HOME/x ${HOME}/y \"$A b\""), (Words{"$HOME/x", "${HOME}/y", "$A b"}));
  EXPECT_EQ(words("x=$(date +'%Y %m') `echo a b` $((1 + 2))"),
            (Words{"x=$(date +'%Y %m')", "`echo a b`", "$((1 + 2))"}));
  EXPECT_EQ(words("\"$(echo \"a b\")\""), (Words{"$(echo \"a b\")"}));
  EXPECT_EQ(words("{python} {code_dir}/t.py"), (Words{"{python}", "{code_dir}/t.py"}));
}

TEST(CronShellWords, Flags) {
  const auto t = tokens("~/a '~/b' $X \"$Y\" '$Z' *.sh '*.sh' x~");
  ASSERT_EQ(t.size(), 8u);
  EXPECT_TRUE(t[0].word.tilde);
  EXPECT_FALSE(t[1].word.tilde);
  EXPECT_TRUE(t[1].word.quoted);
  EXPECT_TRUE(t[2].word.expansion);
  EXPECT_TRUE(t[3].word.expansion);
  EXPECT_FALSE(t[4].word.expansion);
  EXPECT_TRUE(t[5].word.glob);
  EXPECT_FALSE(t[6].word.glob);
  EXPECT_FALSE(t[7].word.tilde);
  EXPECT_FALSE(t[0].word.quoted);
}

TEST(CronShellWords, SpansAndOrigins) {
  const auto t = tokens("ab 'c d'e");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].begin, 0u);
  EXPECT_EQ(t[0].end, 2u);
  EXPECT_EQ(t[1].begin, 3u);
  EXPECT_EQ(t[1].end, 9u);
  EXPECT_EQ(t[1].word.value, "c de");
  EXPECT_EQ(t[1].word.origins, (std::vector<std::size_t>{4, 5, 6, 8}));
}

TEST(CronShellWords, OperatorsAndRedirections) {
  const auto t = tokens("a>/dev/null 2>&1|b&&c||d;e & f |& g >>log 2> err <in &>all x2>y");
  std::vector<std::string> shape;
  for (const auto& token : t) {
    switch (token.kind) {
      case ShellTokenKind::Word:
        shape.push_back("w:" + token.word.value);
        break;
      case ShellTokenKind::Operator:
        shape.push_back("o:" + token.op);
        break;
      case ShellTokenKind::Redirection:
        shape.push_back("r:" + (token.fd ? std::to_string(*token.fd) : std::string()) + token.op +
                        token.word.value);
        break;
    }
  }
  EXPECT_EQ(shape, (std::vector<std::string>{
                       "w:a",  "r:>/dev/null", "r:2>&1",  "o:|",   "w:b",     "o:&&", "w:c",
                       "o:||", "w:d",          "o:;",     "w:e",   "o:&",     "w:f",  "o:|&",
                       "w:g",  "r:>>log",      "r:2>err", "r:<in", "r:&>all", "w:x2", "r:>y"}));
}

TEST(CronShellWords, ErrorsNeverCrash) {
  struct Case {
    const char* text;
    const char* reason;
    std::size_t offset;
  };
  const Case cases[] = {
      {"jsub -N 'x", "unterminated single quote", 8},
      {"echo \"abc", "unterminated double quote", 5},
      {"echo `date", "unterminated backquote", 5},
      {"echo $(date", "unterminated $(", 5},
      {"echo ${HOME", "unterminated ${", 5},
      {"echo \"$(x 'y)\"", "unterminated single quote", 10},
      {"echo >", "redirection > has no target", 5},
      {"echo 2>&1 > ;", "redirection > has no target", 10},
  };
  for (const Case& c : cases) {
    auto result = tokenize_shell(c.text);
    ASSERT_FALSE(result.has_value()) << c.text;
    EXPECT_EQ(result.error().reason, c.reason) << c.text;
    EXPECT_EQ(result.error().offset, c.offset) << c.text;
  }
  // Arbitrary bytes: either tokens or an error, never a crash.
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage += static_cast<char>(i);
  for (std::size_t len = 0; len <= garbage.size(); len += 7) {
    (void)tokenize_shell(garbage.substr(0, len));
    (void)tokenize_shell(garbage.substr(garbage.size() - len));
  }
}

}  // namespace
}  // namespace k8sjobs::cron
