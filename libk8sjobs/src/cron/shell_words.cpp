#include "k8sjobs/cron/shell_words.h"

#include <array>
#include <cctype>

#include "k8sjobs/text/ascii.h"

namespace k8sjobs::cron {
namespace {

using text::is_blank;
constexpr bool is_meta(char c) {
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' ||
         c == '\n' || is_blank(c);
}
// Inside a word: a character that is itself and sets no flag (no quote, escape, expansion or
// glob), so a run of them is copied at once.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    plain[static_cast<std::size_t>(c)] = !is_meta(ch) && ch != '\\' && ch != '\'' && ch != '"' &&
                                         ch != '$' && ch != '`' && ch != '*' && ch != '?' &&
                                         ch != '[';
  }
  return plain;
}();
bool is_plain(char c) {
  return kPlain[static_cast<unsigned char>(c)];
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  Expected<std::vector<ShellToken>, ShellSyntaxError> run() {
    std::vector<ShellToken> tokens;
    tokens.reserve(16);  // a cron command has a few words: grow once or never
    while (true) {
      while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
      if (pos_ >= text_.size() || text_[pos_] == '#') break;  // `#` starting a word: comment
      const std::size_t begin = pos_;
      const char c = text_[pos_];

      std::size_t digits_end = pos_;
      while (digits_end < text_.size() &&
             std::isdigit(static_cast<unsigned char>(text_[digits_end])) != 0) {
        ++digits_end;
      }
      if (digits_end > pos_ && digits_end < text_.size() &&
          (text_[digits_end] == '<' || text_[digits_end] == '>') && digits_end - pos_ <= 4) {
        const int fd = std::stoi(std::string(text_.substr(pos_, digits_end - pos_)));
        pos_ = digits_end;
        auto token = redirection(begin, fd);
        if (!token) return unexpected(token.error());
        tokens.push_back(std::move(*token));
        continue;
      }
      if (c == '<' || c == '>' || (c == '&' && peek(1) == '>')) {
        auto token = redirection(begin, std::nullopt);
        if (!token) return unexpected(token.error());
        tokens.push_back(std::move(*token));
        continue;
      }
      if (is_meta(c)) {
        std::string op(1, c == '\n' ? ';' : c);
        ++pos_;
        if ((c == '&' || c == '|' || c == ';') && peek(0) == c) {
          op += c;
          ++pos_;
        } else if (c == '|' && peek(0) == '&') {
          op += '&';
          ++pos_;
        }
        ShellToken token;
        token.kind = ShellTokenKind::Operator;
        token.begin = begin;
        token.end = pos_;
        token.op = std::move(op);
        tokens.push_back(std::move(token));
        continue;
      }
      auto word = read_word();
      if (!word) return unexpected(word.error());
      ShellToken token;
      token.kind = ShellTokenKind::Word;
      token.begin = word->begin;
      token.end = word->end;
      token.word = std::move(*word);
      tokens.push_back(std::move(token));
    }
    return tokens;
  }

 private:
  char peek(std::size_t ahead) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  ShellSyntaxError error(std::string reason, std::size_t offset) const {
    return ShellSyntaxError{std::move(reason), offset};
  }

  Expected<ShellToken, ShellSyntaxError> redirection(std::size_t begin, std::optional<int> fd) {
    static constexpr std::string_view kOps[] = {"&>>", "<<-", "&>", ">>", ">&", ">|",
                                                "<<",  "<&",  "<>", ">",  "<"};
    ShellToken token;
    token.kind = ShellTokenKind::Redirection;
    token.begin = begin;
    token.fd = fd;
    for (std::string_view op : kOps) {
      if (text_.substr(pos_, op.size()) == op) {
        token.op = std::string(op);
        pos_ += op.size();
        break;
      }
    }
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
    if (pos_ >= text_.size() || is_meta(text_[pos_]) || text_[pos_] == '#') {
      return unexpected(error("redirection " + token.op + " has no target", begin));
    }
    auto word = read_word();
    if (!word) return unexpected(word.error());
    token.end = word->end;
    token.word = std::move(*word);
    return token;
  }

  void append(ShellWord& word, char c, std::size_t origin) {
    word.value += c;
    word.origins.push_back(origin);
  }

  // Moves the character under the cursor into the word.
  void take(ShellWord& word) {
    append(word, text_[pos_], pos_);
    ++pos_;
  }

  // Copies a `$(...)`, `${...}` or backquoted text as typed, keeping quotes inside it.
  Expected<Done, ShellSyntaxError> copy_substitution(ShellWord& word) {
    const std::size_t start = pos_;
    if (text_[pos_] == '`') {
      take(word);
      while (pos_ < text_.size() && text_[pos_] != '`') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) take(word);
        take(word);
      }
      if (pos_ >= text_.size()) return unexpected(error("unterminated backquote", start));
      take(word);
      return Done{};
    }
    // `$(` or `${`
    const char open = text_[pos_ + 1];
    const char close = open == '(' ? ')' : '}';
    take(word);
    take(word);
    int depth = 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        take(word);
        take(word);
        continue;
      }
      if (c == '\'' || c == '"') {
        const std::size_t quote_start = pos_;
        take(word);
        while (pos_ < text_.size() && text_[pos_] != c) {
          if (c == '"' && text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
            take(word);
          }
          take(word);
        }
        if (pos_ >= text_.size()) {
          return unexpected(error(
              c == '\'' ? "unterminated single quote" : "unterminated double quote", quote_start));
        }
        take(word);
        continue;
      }
      if (c == open) ++depth;
      if (c == close && --depth == 0) {
        take(word);
        return Done{};
      }
      take(word);
    }
    return unexpected(error(open == '(' ? "unterminated $(" : "unterminated ${", start));
  }

  Expected<ShellWord, ShellSyntaxError> read_word() {
    ShellWord word;
    word.begin = pos_;
    // Most words are typed as they are: size the buffers for the text up to the next blank.
    std::size_t blank = pos_;
    while (blank < text_.size() && !is_blank(text_[blank]) && text_[blank] != '\n') ++blank;
    const std::size_t guess = blank - pos_;
    word.value.reserve(guess);
    word.origins.reserve(guess);
    if (pos_ < text_.size() && text_[pos_] == '~') word.tilde = true;
    while (pos_ < text_.size() && !is_meta(text_[pos_])) {
      const char c = text_[pos_];
      if (c == '\\') {
        word.quoted = true;
        if (pos_ + 1 >= text_.size()) {
          append(word, '\\', pos_++);  // a lone trailing backslash stays
        } else if (text_[pos_ + 1] == '\n') {
          pos_ += 2;  // line continuation
        } else {
          append(word, text_[pos_ + 1], pos_ + 1);
          pos_ += 2;
        }
      } else if (c == '\'') {
        word.quoted = true;
        const std::size_t close = text_.find('\'', pos_ + 1);
        if (close == std::string_view::npos)
          return unexpected(error("unterminated single quote", pos_));
        for (std::size_t i = pos_ + 1; i < close; ++i) append(word, text_[i], i);
        pos_ = close + 1;
      } else if (c == '"') {
        word.quoted = true;
        const std::size_t start = pos_++;
        while (true) {
          if (pos_ >= text_.size()) return unexpected(error("unterminated double quote", start));
          const char d = text_[pos_];
          if (d == '"') {
            ++pos_;
            break;
          }
          if (d == '\\' && pos_ + 1 < text_.size()) {
            const char next = text_[pos_ + 1];
            if (next == '$' || next == '`' || next == '"' || next == '\\') {
              append(word, next, pos_ + 1);
              pos_ += 2;
              continue;
            }
            if (next == '\n') {
              pos_ += 2;
              continue;
            }
          }
          if ((d == '$' && (peek(1) == '(' || peek(1) == '{')) || d == '`') {
            word.expansion = true;
            auto copied = copy_substitution(word);
            if (!copied) return unexpected(copied.error());
            continue;
          }
          if (d == '$') word.expansion = true;
          append(word, d, pos_++);
        }
      } else if ((c == '$' && (peek(1) == '(' || peek(1) == '{')) || c == '`') {
        word.expansion = true;
        auto copied = copy_substitution(word);
        if (!copied) return unexpected(copied.error());
      } else {
        if (c == '$') word.expansion = true;
        if (c == '*' || c == '?' || c == '[') word.glob = true;
        take(word);
        std::size_t end = pos_;
        while (end < text_.size() && is_plain(text_[end])) ++end;
        word.value.append(text_.substr(pos_, end - pos_));
        const std::size_t had = word.origins.size();
        word.origins.resize(had + (end - pos_));
        for (std::size_t i = had; i < word.origins.size(); ++i) word.origins[i] = pos_++;
      }
    }
    word.end = pos_;
    return word;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Expected<std::vector<ShellToken>, ShellSyntaxError> tokenize_shell(std::string_view text) {
  return Tokenizer(text).run();
}

Expected<std::vector<std::string>, ShellSyntaxError> split_shell_words(std::string_view text) {
  auto tokens = tokenize_shell(text);
  if (!tokens) return unexpected(tokens.error());
  std::vector<std::string> words;
  for (const ShellToken& token : *tokens) {
    if (token.kind == ShellTokenKind::Word) words.push_back(token.word.value);
  }
  return words;
}

}  // namespace k8sjobs::cron
