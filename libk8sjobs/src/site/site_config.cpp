// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/site/site_config.h"

#include "k8sjobs/text/edit_distance.h"
#include "k8sjobs/yaml/document.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "toolforge_images.h"

namespace k8sjobs::site {

namespace {

constexpr std::int64_t kInt32Max = 2147483647;

// Every key the file may contain, dotted. Unknown keys are errors: a typo must not silently
// fall back to a default. "home.volumes[]" lists the keys of one volume entry.
const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> keys = {
      "backend",
      "tool_prefix",
      "kubernetes",
      "kubernetes.kubeconfig",
      "kubernetes.context",
      "kubernetes.namespace",
      "images",
      "images.releases",
      "images.default_release",
      "images.names",
      "images.rules",
      "images.rules[].program",
      "images.rules[].runtime",
      "images.rules[].requested_image",
      "images.rules[].image",
      "images.everything",
      "home",
      "home.path_template",
      "home.volumes",
      "home.volumes[].name",
      "home.volumes[].type",
      "home.volumes[].path",
      "home.volumes[].server",
      "home.volumes[].claim_name",
      "home.volumes[].mount_path",
      "home.volumes[].read_only",
      "pod",
      "pod.labels",
      "pod.annotations",
      "pod.node_selector",
      "pod.service_account",
      "pod.image_pull_policy",
      "resources",
      "resources.default_memory",
      "resources.max_memory",
      "resources.default_cpu",
      "resources.max_cpu",
      "jobs",
      "jobs.ttl_seconds_after_finished",
      "jobs.backoff_limit",
      "jobs.deployment_termination_grace_seconds",
      "jobs.check_program",
      "client",
      "client.timeout_seconds",
      "client.retry",
      "client.retry.max_attempts",
      "client.retry.initial_backoff_ms",
      "client.retry.max_backoff_ms",
      "client.retry.deadline_seconds",
      "client.tls_session_cache",
      "local",
      "local.state_dir",
      "mail",
      "mail.default_domain",
      "mail.relay",
      "mail.from",
      "mail.starttls",
      "mail.username",
      "mail.password_file",
      "mail.batch_window_seconds",
      "mail.max_recipients",
      "mail.sendmail",
      "interop",
      "interop.toolforge_jobs",
  };
  return keys;
}

using text::edit_distance;

std::string leaf_of(const std::string& dotted) {
  auto dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

std::string parent_of(const std::string& dotted) {
  auto dot = dotted.rfind('.');
  return dot == std::string::npos ? "" : dotted.substr(0, dot);
}

// A close sibling (a typo), else the same key in another section (a misplaced key).
std::string suggest_key(const std::string& parent, const std::string& key) {
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& known : known_keys()) {
    if (parent_of(known) != parent) continue;
    std::size_t distance = edit_distance(key, leaf_of(known));
    if (distance < best_distance) {
      best_distance = distance;
      best = known;
    }
  }
  if (!best.empty()) return best;
  for (const std::string& known : known_keys()) {
    if (leaf_of(known) == key && known.find("[]") == std::string::npos) return known;
  }
  return "";
}

// Kubernetes' name rules, checked by hand: std::regex took 0.3 ms to build these patterns,
// on every command that read a site configuration with images, volumes or labels.
bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?, any length.
bool is_dns_label_of_any_length(std::string_view text) {
  if (text.empty() || !is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_lower_alnum(c) || c == '-'; });
}

// An RFC 1123 label: [a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?
bool is_dns_label(const std::string& text) {
  return text.size() <= 63 && is_dns_label_of_any_length(text);
}

// A label value or name: [A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?
bool is_label_name(std::string_view text) {
  if (text.empty() || text.size() > 63 || !is_alnum(text.front()) || !is_alnum(text.back())) {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A Kubernetes label or annotation key: [prefix/]name, prefix a DNS subdomain (dot-separated
// labels, 253 characters at most).
bool is_qualified_name(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return is_label_name(text);
  std::string_view head = std::string_view(text).substr(0, slash);
  if (head.size() > 253) return false;
  for (std::size_t start = 0;;) {
    auto dot = head.find('.', start);
    if (!is_dns_label_of_any_length(head.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return is_label_name(std::string_view(text).substr(slash + 1));
}

bool has_whitespace(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Checks a {user}/{tool} template; returns "" or what is wrong.
std::string template_problem(const std::string& pattern) {
  std::size_t at = 0;
  while ((at = pattern.find_first_of("{}", at)) != std::string::npos) {
    if (pattern[at] == '}') return "unbalanced '}'";
    auto close = pattern.find('}', at);
    if (close == std::string::npos) return "unbalanced '{'";
    std::string name = pattern.substr(at + 1, close - at - 1);
    if (name != "user" && name != "tool") {
      return "unknown placeholder {" + name + "} (known: {user}, {tool})";
    }
    at = close + 1;
  }
  return "";
}

struct ParseFailure {
  int line;
  std::string what;
};

int line_of(const yaml::Node& node) {
  yaml::Mark mark = node.mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

class Parser {
 public:
  explicit Parser(SiteConfig& config) : config_(config) {}

  void parse(const yaml::Node& root) {
    if (!root || root.is_null()) return;  // an empty file: every default
    if (!root.is_map()) throw ParseFailure{line_of(root), "expected a mapping of settings"};
    for_each_key(root, "", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "backend") {
        std::string text = string_value(value, key, line);
        if (text == "local") {
          config_.backend = Backend::Local;
        } else if (text == "kubernetes") {
          config_.backend = Backend::Kubernetes;
        } else {
          fail(line, key, "'" + text + "' is not a backend (expected 'local' or 'kubernetes')");
        }
      } else if (key == "tool_prefix") {
        config_.tool_prefix = string_value(value, key, line, /*allow_empty=*/true);
      } else if (key == "kubernetes") {
        parse_kubernetes(value);
      } else if (key == "images") {
        parse_images(value, line);
      } else if (key == "home") {
        parse_home(value);
      } else if (key == "pod") {
        parse_pod(value);
      } else if (key == "resources") {
        parse_resources(value);
      } else if (key == "jobs") {
        parse_jobs(value);
      } else if (key == "client") {
        parse_client(value);
      } else if (key == "local") {
        for_each_key(value, "local", [&](const std::string& k, const yaml::Node& v, int l) {
          if (k == "local.state_dir") config_.local.state_dir = absolute_path(v, k, l);
        });
      } else if (key == "mail") {
        parse_mail(value);
      } else if (key == "interop") {
        parse_interop(value);
      }
    });
  }

  void parse_mail(const yaml::Node& node) {
    MailSettings& mail = config_.mail;
    for_each_key(node, "mail", [&](const std::string& k, const yaml::Node& v, int l) {
      if (k == "mail.default_domain") {
        std::string domain = string_value(v, k, l);
        if (domain.find('@') != std::string::npos || has_whitespace(domain)) {
          fail(l, k, "'" + domain + "' is not a mail domain");
        }
        mail.default_domain = domain;
      } else if (k == "mail.relay") {
        std::string url = string_value(v, k, l, /*allow_empty=*/true);
        if (!url.empty() && ((!url.starts_with("smtp://") && !url.starts_with("smtps://")) ||
                             has_whitespace(url) || url.ends_with("://"))) {
          fail(l, k, "'" + url + "' is not an SMTP relay (expected smtp://host:port or smtps://)");
        }
        mail.relay = url;
      } else if (k == "mail.from") {
        std::string from = string_value(v, k, l);
        if (from.find('@') == std::string::npos || has_whitespace(from) ||
            from.find_first_of("<>\",;") != std::string::npos) {
          fail(l, k, "'" + from + "' is not a mail address");
        }
        mail.from = from;
      } else if (k == "mail.starttls") {
        std::string mode = string_value(v, k, l);
        if (mode == "never") {
          mail.starttls = MailSettings::StartTls::Never;
        } else if (mode == "try") {
          mail.starttls = MailSettings::StartTls::Try;
        } else if (mode == "always") {
          mail.starttls = MailSettings::StartTls::Always;
        } else {
          fail(l, k, "'" + mode + "' is not a STARTTLS mode (expected never, try or always)");
        }
      } else if (k == "mail.username") {
        mail.username = string_value(v, k, l);
      } else if (k == "mail.password_file") {
        mail.password_file = absolute_path(v, k, l);
      } else if (k == "mail.batch_window_seconds") {
        mail.batch_window = std::chrono::seconds(int_value(v, k, l, 0, 86400));
      } else if (k == "mail.max_recipients") {
        mail.max_recipients = static_cast<int>(int_value(v, k, l, 1, 1000));
      } else if (k == "mail.sendmail") {
        // Empty turns the local backend's mail off; anything else is run without a shell.
        std::string program = string_value(v, k, l, /*allow_empty=*/true);
        if (!program.empty() && program.front() != '/') {
          fail(l, k, "must be an absolute path or empty, got '" + program + "'");
        }
        mail.sendmail = program;
      }
    });
  }

 private:
  template <class Handler>
  void for_each_key(const yaml::Node& node, const std::string& prefix, Handler&& handler) {
    if (node.is_null()) return;  // "section:" with nothing under it
    if (!node.is_map()) fail(line_of(node), prefix, "expected a mapping");
    std::set<std::string> seen;
    for (const auto& entry : node.entries()) {
      int line = line_of(entry.first);
      if (!entry.first.is_scalar()) fail(line, prefix, "keys must be plain names");
      std::string leaf = entry.first.scalar();
      std::string dotted = prefix.empty() ? leaf : prefix + "." + leaf;
      if (std::find(known_keys().begin(), known_keys().end(), dotted) == known_keys().end()) {
        std::string what = "unknown key '" + dotted + "'";
        std::string suggestion = suggest_key(prefix, leaf);
        if (!suggestion.empty()) what += " (did you mean '" + suggestion + "'?)";
        throw ParseFailure{line, what};
      }
      if (!seen.insert(leaf).second) fail(line, dotted, "given twice");
      handler(dotted, entry.second, line);
    }
  }

  [[noreturn]] static void fail(int line, const std::string& key, const std::string& what) {
    throw ParseFailure{line, key.empty() ? what : key + ": " + what};
  }

  static std::string string_value(const yaml::Node& node, const std::string& key, int line,
                                  bool allow_empty = false) {
    if (node.is_null()) fail(line, key, "needs a value");
    if (!node.is_scalar()) fail(line, key, "expected a string");
    const std::string& text = node.scalar();
    if (text.empty() && !allow_empty) fail(line, key, "must not be empty");
    return text;
  }

  static std::int64_t int_value(const yaml::Node& node, const std::string& key, int line,
                                std::int64_t min, std::int64_t max) {
    std::string text = string_value(node, key, line);
    std::int64_t value = 0;
    bool digits_only = !text.empty() && text.size() <= 18 &&
                       std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                   [](char c) { return c >= '0' && c <= '9'; }) &&
                       text != "-";
    if (!digits_only) fail(line, key, "expected an integer, got '" + text + "'");
    value = std::stoll(text);
    if (value < min || value > max) {
      fail(line, key,
           std::to_string(value) + " is out of range (" + std::to_string(min) + " to " +
               std::to_string(max) + ")");
    }
    return value;
  }

  static bool bool_value(const yaml::Node& node, const std::string& key, int line) {
    std::string text = string_value(node, key, line);
    if (text == "true") return true;
    if (text == "false") return false;
    fail(line, key, "expected true or false, got '" + text + "'");
  }

  static std::string absolute_path(const yaml::Node& node, const std::string& key, int line) {
    std::string text = string_value(node, key, line);
    if (text.front() != '/') fail(line, key, "must be an absolute path, got '" + text + "'");
    return text;
  }

  std::map<std::string, std::string> string_map(const yaml::Node& node, const std::string& key,
                                                int line, bool label_values) {
    std::map<std::string, std::string> result;
    if (node.is_null()) return result;
    if (!node.is_map()) fail(line, key, "expected a mapping");
    for (const auto& entry : node.entries()) {
      int entry_line = line_of(entry.first);
      std::string name = entry.first.scalar();
      if (!is_qualified_name(name)) {
        fail(entry_line, key, "'" + name + "' is not a valid Kubernetes key");
      }
      std::string value = string_value(entry.second, key + "." + name, entry_line, true);
      if (label_values && !value.empty() && !is_label_name(value)) {
        fail(entry_line, key,
             "'" + value +
                 "' is not a valid label value (63 characters at most: letters, digits, "
                 "'-', '_', '.')");
      }
      if (!result.emplace(name, value).second) fail(entry_line, key, "'" + name + "' given twice");
    }
    return result;
  }

  void parse_kubernetes(const yaml::Node& node) {
    for_each_key(
        node, "kubernetes", [&](const std::string& key, const yaml::Node& value, int line) {
          if (key == "kubernetes.kubeconfig") {
            if (!value.is_null()) config_.kubernetes.kubeconfig = absolute_path(value, key, line);
          } else if (key == "kubernetes.context") {
            if (!value.is_null()) config_.kubernetes.context = string_value(value, key, line);
          } else if (key == "kubernetes.namespace") {
            std::string pattern = string_value(value, key, line);
            std::string problem = template_problem(pattern);
            if (!problem.empty()) fail(line, key, problem);
            std::string literal = expand_template(pattern, "", "");
            if (!std::all_of(literal.begin(), literal.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                })) {
              fail(line, key,
                   "'" + pattern + "' has characters a namespace cannot contain (a-z, 0-9, '-')");
            }
            config_.kubernetes.namespace_template = pattern;
          }
        });
  }

  void parse_images(const yaml::Node& node, int section_line) {
    int default_line = section_line;
    int everything_line = section_line;
    bool releases_given = false;
    bool names_given = false;
    bool rules_given = false;
    std::vector<int> rule_lines;
    for_each_key(node, "images", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "images.releases") {
        releases_given = true;
        // A site's own list replaces Toolforge's images entirely.
        config_.images.releases.clear();
        if (!value.is_map()) fail(line, key, "expected a mapping of release: image");
        for (const auto& entry : value.entries()) {
          int entry_line = line_of(entry.first);
          std::string release = entry.first.scalar();
          if (!is_label_name(release)) {
            fail(entry_line, key, "'" + release + "' is not a valid release name");
          }
          std::string image = string_value(entry.second, key + "." + release, entry_line);
          if (has_whitespace(image)) {
            fail(entry_line, key + "." + release, "'" + image + "' is not an image reference");
          }
          if (!config_.images.releases.emplace(release, image).second) {
            fail(entry_line, key, "'" + release + "' given twice");
          }
        }
        if (config_.images.releases.empty()) fail(line, key, "needs at least one release");
      } else if (key == "images.default_release") {
        config_.images.default_release = string_value(value, key, line);
        default_line = line;
      } else if (key == "images.names") {
        names_given = true;
        config_.images.names.clear();
        if (value.is_null()) return;
        if (!value.is_map()) fail(line, key, "expected a mapping of name: image reference");
        for (const auto& entry : value.entries()) {
          int entry_line = line_of(entry.first);
          std::string name = entry.first.scalar();
          if (!is_label_name(name)) {
            fail(entry_line, key,
                 "'" + name + "' is not a valid image name (letters, digits, '-', '_', '.')");
          }
          std::string image = string_value(entry.second, key + "." + name, entry_line);
          if (has_whitespace(image)) {
            fail(entry_line, key + "." + name, "'" + image + "' is not an image reference");
          }
          if (!config_.images.names.emplace(name, image).second) {
            fail(entry_line, key, "'" + name + "' given twice");
          }
        }
      } else if (key == "images.rules") {
        rules_given = true;
        config_.images.rules.clear();
        if (value.is_null()) return;
        if (!value.is_sequence()) fail(line, key, "expected a list of rules");
        std::size_t index = 0;
        for (const auto& item : value.items()) {
          try {
            config_.images.rules.push_back(parse_image_rule(item));
            rule_lines.push_back(line_of(item));
          } catch (ParseFailure& failure) {
            name_list_entry(failure, "images.rules", index);
            throw;
          }
          ++index;
        }
      } else if (key == "images.everything") {
        config_.images.everything = string_value(value, key, line);
        everything_line = line;
      }
    });
    if (config_.images.releases.count(config_.images.default_release) == 0) {
      std::string known;
      for (const auto& [release, image] : config_.images.releases) {
        known += (known.empty() ? "" : ", ") + release;
      }
      fail(
          default_line, "images.default_release",
          "'" + config_.images.default_release + "' is not one of images.releases (" + known + ")");
    }
    // A site with its own images gets none of Toolforge's: its php jobs must not run in
    // Toolforge's registry. Rules of its own may still name Toolforge's images.
    if (releases_given && !names_given) config_.images.names.clear();
    if ((releases_given || names_given) && !rules_given) config_.images.rules.clear();
    check_image_rules(rule_lines);
    if (!config_.images.everything.empty() &&
        !config_.images.reference_for(config_.images.everything)) {
      fail(everything_line, "images.everything", unknown_image(config_.images.everything));
    }
  }

  // "home.volumes[].path" -> "home.volumes[1].path" in a failure of entry `index`.
  static void name_list_entry(ParseFailure& failure, const std::string& list, std::size_t index) {
    const std::string marker = list + "[]";
    const std::string named = list + "[" + std::to_string(index) + "]";
    for (auto at = failure.what.find(marker); at != std::string::npos;
         at = failure.what.find(marker, at)) {
      failure.what.replace(at, marker.size(), named);
    }
  }

  static std::string unknown_image(const std::string& image) {
    return "'" + image +
           "' is neither a key of images.names or images.releases nor an image reference "
           "(registry/name:tag)";
  }

  ImageRule parse_image_rule(const yaml::Node& item) {
    const int item_line = line_of(item);
    const std::string prefix = "images.rules[]";
    if (!item.is_map()) fail(item_line, "images.rules", "each rule must be a mapping");
    ImageRule rule;
    std::vector<std::string> matches;
    bool has_image = false;
    for_each_key(item, prefix, [&](const std::string& key, const yaml::Node& value, int line) {
      const std::string leaf = leaf_of(key);
      if (leaf == "image") {
        rule.image = string_value(value, key, line);
        if (has_whitespace(rule.image)) {
          fail(line, key, "'" + rule.image + "' is not an image name or reference");
        }
        has_image = true;
        return;
      }
      matches.push_back(leaf);
      rule.match = leaf == "program"   ? ImageRule::Match::Program
                   : leaf == "runtime" ? ImageRule::Match::Runtime
                                       : ImageRule::Match::RequestedImage;
      rule.words = word_list(value, key, line);
    });
    if (matches.size() != 1) {
      fail(item_line, prefix,
           matches.empty() ? "needs one of program, runtime, requested_image"
                           : "takes one of program, runtime, requested_image, not " + matches[0] +
                                 " and " + matches[1]);
    }
    if (!has_image) fail(item_line, prefix + ".image", "missing");
    return rule;
  }

  // A word or a list of words: "php" or [php, php8.2].
  static std::vector<std::string> word_list(const yaml::Node& value, const std::string& key,
                                            int line) {
    std::vector<std::string> words;
    if (value.is_sequence()) {
      for (const auto& item : value.items()) words.push_back(string_value(item, key, line));
      if (words.empty()) fail(line, key, "needs at least one word");
    } else {
      words.push_back(string_value(value, key, line));
    }
    for (const auto& word : words) {
      if (has_whitespace(word) || word.find('/') != std::string::npos) {
        fail(line, key, "'" + word + "' is not a word (no blanks, no '/': give a basename)");
      }
    }
    return words;
  }

  // Every rule's image is known, and no word is matched by two rules of one kind (the second
  // could never win).
  void check_image_rules(const std::vector<int>& lines) {
    std::map<std::pair<ImageRule::Match, std::string>, std::size_t> first_rule;
    for (std::size_t i = 0; i < config_.images.rules.size(); ++i) {
      const ImageRule& rule = config_.images.rules[i];
      const int line = i < lines.size() ? lines[i] : 0;
      const std::string name = "images.rules[" + std::to_string(i) + "]";
      if (!config_.images.reference_for(rule.image)) {
        fail(line, name + ".image", unknown_image(rule.image));
      }
      for (const auto& word : rule.words) {
        auto [at, inserted] = first_rule.emplace(std::make_pair(rule.match, word), i);
        if (!inserted) {
          fail(line, name + "." + std::string(to_string(rule.match)),
               "'" + word + "' is already matched by images.rules[" + std::to_string(at->second) +
                   "]");
        }
      }
    }
  }

  void parse_home(const yaml::Node& node) {
    for_each_key(node, "home", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "home.path_template") {
        std::string pattern = absolute_path(value, key, line);
        std::string problem = template_problem(pattern);
        if (!problem.empty()) fail(line, key, problem);
        config_.home.path_template = pattern;
      } else if (key == "home.volumes") {
        config_.home.volumes.clear();  // the site's list replaces the defaults
        if (value.is_null()) return;
        if (!value.is_sequence()) fail(line, key, "expected a list of volumes");
        std::size_t index = 0;
        for (const auto& item : value.items()) {
          try {
            config_.home.volumes.push_back(parse_volume(item));
          } catch (ParseFailure& failure) {
            // Name the entry: "home.volumes[1].path" rather than "home.volumes[].path".
            name_list_entry(failure, "home.volumes", index);
            throw;
          }
          ++index;
        }
      }
    });
  }

  VolumeSpec parse_volume(const yaml::Node& item) {
    const int item_line = line_of(item);
    const std::string prefix = "home.volumes[]";
    if (!item.is_map()) fail(item_line, "home.volumes", "each volume must be a mapping");
    VolumeSpec volume;
    std::map<std::string, int> given;  // key -> line
    for_each_key(item, prefix, [&](const std::string& key, const yaml::Node& value, int line) {
      std::string leaf = leaf_of(key);
      given[leaf] = line;
      if (leaf == "name") {
        volume.name = string_value(value, key, line);
        if (!is_dns_label(volume.name)) {
          fail(line, key, "'" + volume.name + "' is not a valid volume name (a-z, 0-9, '-')");
        }
      } else if (leaf == "type") {
        std::string type = string_value(value, key, line);
        if (type == "hostPath") {
          volume.type = VolumeSpec::Type::HostPath;
        } else if (type == "nfs") {
          volume.type = VolumeSpec::Type::Nfs;
        } else if (type == "pvc") {
          volume.type = VolumeSpec::Type::Pvc;
        } else {
          fail(line, key, "'" + type + "' is not a volume type (expected hostPath, nfs or pvc)");
        }
      } else if (leaf == "path") {
        volume.path = absolute_path(value, key, line);
      } else if (leaf == "server") {
        volume.server = string_value(value, key, line);
      } else if (leaf == "claim_name") {
        volume.claim_name = string_value(value, key, line);
      } else if (leaf == "mount_path") {
        volume.mount_path = absolute_path(value, key, line);
      } else if (leaf == "read_only") {
        volume.read_only = bool_value(value, key, line);
      }
    });
    auto need = [&](const char* leaf) {
      if (given.count(leaf) == 0) {
        fail(item_line, prefix + "." + leaf,
             std::string("missing for a ") + std::string(to_string(volume.type)) + " volume");
      }
    };
    auto refuse = [&](const char* leaf) {
      if (given.count(leaf) != 0) {
        fail(given[leaf], prefix + "." + leaf,
             std::string("does not apply to a ") + std::string(to_string(volume.type)) + " volume");
      }
    };
    need("name");
    switch (volume.type) {
      case VolumeSpec::Type::HostPath:
        need("path");
        refuse("server");
        refuse("claim_name");
        break;
      case VolumeSpec::Type::Nfs:
        need("path");
        need("server");
        refuse("claim_name");
        break;
      case VolumeSpec::Type::Pvc:
        need("claim_name");
        need("mount_path");
        refuse("path");
        refuse("server");
        break;
    }
    if (volume.mount_path.empty()) volume.mount_path = volume.path;  // same path inside
    for (const VolumeSpec& other : config_.home.volumes) {
      if (other.name == volume.name) {
        fail(given["name"], prefix + ".name", "'" + volume.name + "' is used twice");
      }
      if (other.mount_path == volume.mount_path) {
        fail(item_line, prefix + ".mount_path",
             "'" + volume.mount_path + "' is mounted twice (" + other.name + ", " + volume.name +
                 ")");
      }
    }
    return volume;
  }

  void parse_pod(const yaml::Node& node) {
    for_each_key(node, "pod", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "pod.labels") {
        config_.pod.labels = string_map(value, key, line, /*label_values=*/true);
      } else if (key == "pod.annotations") {
        config_.pod.annotations = string_map(value, key, line, /*label_values=*/false);
      } else if (key == "pod.node_selector") {
        config_.pod.node_selector = string_map(value, key, line, /*label_values=*/true);
      } else if (key == "pod.service_account") {
        if (value.is_null()) return;
        std::string account = string_value(value, key, line);
        if (!is_dns_label(account)) fail(line, key, "'" + account + "' is not a valid name");
        config_.pod.service_account = account;
      } else if (key == "pod.image_pull_policy") {
        std::string policy = string_value(value, key, line);
        if (policy != "Always" && policy != "IfNotPresent" && policy != "Never") {
          fail(line, key,
               "'" + policy +
                   "' is not an image pull policy (expected Always, IfNotPresent or "
                   "Never)");
        }
        config_.pod.image_pull_policy = policy;
      }
    });
  }

  void parse_resources(const yaml::Node& node) {
    std::map<std::string, int> lines;
    for_each_key(node, "resources", [&](const std::string& key, const yaml::Node& value, int line) {
      lines[key] = line;
      std::string text = string_value(value, key, line);
      bool memory = key == "resources.default_memory" || key == "resources.max_memory";
      auto parsed = memory ? parse_memory_quantity(text) : parse_cpu_quantity(text);
      if (!parsed) fail(line, key, parsed.error());
      if (*parsed <= 0) fail(line, key, "must be more than zero");
      if (key == "resources.default_memory") config_.resources.default_memory_bytes = *parsed;
      if (key == "resources.max_memory") config_.resources.max_memory_bytes = *parsed;
      if (key == "resources.default_cpu") config_.resources.default_cpu_millis = *parsed;
      if (key == "resources.max_cpu") config_.resources.max_cpu_millis = *parsed;
    });
    const ResourceSettings& r = config_.resources;
    auto line_for = [&](const char* first, const char* second) {
      return lines.count(first) != 0 ? lines[first] : lines[second];
    };
    if (r.default_memory_bytes > r.max_memory_bytes) {
      fail(line_for("resources.default_memory", "resources.max_memory"), "resources.default_memory",
           format_memory_quantity(r.default_memory_bytes) + " is more than resources.max_memory (" +
               format_memory_quantity(r.max_memory_bytes) + ")");
    }
    if (r.default_cpu_millis > r.max_cpu_millis) {
      fail(line_for("resources.default_cpu", "resources.max_cpu"), "resources.default_cpu",
           format_cpu_quantity(r.default_cpu_millis) + " is more than resources.max_cpu (" +
               format_cpu_quantity(r.max_cpu_millis) + ")");
    }
  }

  void parse_jobs(const yaml::Node& node) {
    for_each_key(node, "jobs", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "jobs.ttl_seconds_after_finished") {
        config_.jobs.ttl_seconds_after_finished = int_value(value, key, line, 0, kInt32Max);
      } else if (key == "jobs.backoff_limit") {
        config_.jobs.backoff_limit = int_value(value, key, line, 0, kInt32Max);
      } else if (key == "jobs.deployment_termination_grace_seconds") {
        config_.jobs.deployment_termination_grace_seconds =
            int_value(value, key, line, 0, kInt32Max);
      } else if (key == "jobs.check_program") {
        config_.jobs.check_program = bool_value(value, key, line);
      }
    });
  }

  void parse_interop(const yaml::Node& node) {
    for_each_key(node, "interop", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "interop.toolforge_jobs") {
        config_.interop.toolforge_jobs = bool_value(value, key, line);
      }
    });
  }

  void parse_client(const yaml::Node& node) {
    int max_backoff_line = 0;
    int initial_backoff_line = 0;
    auto& client = config_.client;
    for_each_key(node, "client", [&](const std::string& key, const yaml::Node& value, int line) {
      if (key == "client.timeout_seconds") {
        client.timeout = std::chrono::seconds(int_value(value, key, line, 1, 3600));
      } else if (key == "client.tls_session_cache") {
        client.tls_session_cache = bool_value(value, key, line);
      } else if (key == "client.retry") {
        for_each_key(value, key, [&](const std::string& k, const yaml::Node& v, int l) {
          if (k == "client.retry.max_attempts") {
            client.retry.max_attempts = static_cast<int>(int_value(v, k, l, 1, 100));
          } else if (k == "client.retry.initial_backoff_ms") {
            client.retry.initial_backoff = std::chrono::milliseconds(int_value(v, k, l, 1, 600000));
            initial_backoff_line = l;
          } else if (k == "client.retry.max_backoff_ms") {
            client.retry.max_backoff = std::chrono::milliseconds(int_value(v, k, l, 1, 600000));
            max_backoff_line = l;
          } else if (k == "client.retry.deadline_seconds") {
            client.retry.deadline = std::chrono::seconds(int_value(v, k, l, 1, 86400));
          }
        });
      }
    });
    if (client.retry.initial_backoff > client.retry.max_backoff) {
      fail(initial_backoff_line != 0 ? initial_backoff_line : max_backoff_line,
           "client.retry.initial_backoff_ms",
           std::to_string(client.retry.initial_backoff.count()) +
               " is more than client.retry.max_backoff_ms (" +
               std::to_string(client.retry.max_backoff.count()) + ")");
    }
  }

  SiteConfig& config_;
};

SiteConfigError make_error(const std::string& file, int line, const std::string& what) {
  std::string where = file.empty() ? "" : (line > 0 ? file + ":" + std::to_string(line) : file);
  return SiteConfigError{file, line, where.empty() ? what : where + ": " + what};
}

struct Suffix {
  std::string_view text;
  int exponent10;
  int exponent2;
};

constexpr std::array<Suffix, 13> kSuffixes = {{{"Ki", 0, 10},
                                               {"Mi", 0, 20},
                                               {"Gi", 0, 30},
                                               {"Ti", 0, 40},
                                               {"Pi", 0, 50},
                                               {"Ei", 0, 60},
                                               {"m", -3, 0},
                                               {"k", 3, 0},
                                               {"M", 6, 0},
                                               {"G", 9, 0},
                                               {"T", 12, 0},
                                               {"P", 15, 0},
                                               {"E", 18, 0}}};

// The quantity in units of 10^-scale10 (0: bytes, 3: millicores), exactly.
Expected<std::int64_t, std::string> parse_quantity(std::string_view text, int scale10,
                                                   const char* unit, const char* examples) {
  const std::string quoted = "'" + std::string(text) + "'";
  auto malformed = [&] {
    return unexpected(quoted + " is not a Kubernetes quantity (e.g. " + std::string(examples) +
                      ")");
  };
  std::size_t at = 0;
  if (at < text.size() && text[at] == '-') return unexpected(quoted + " must not be negative");
  if (at < text.size() && text[at] == '+') ++at;
  std::string digits;
  int fraction_digits = 0;
  bool seen_dot = false;
  for (; at < text.size(); ++at) {
    char c = text[at];
    if (c >= '0' && c <= '9') {
      digits += c;
      if (seen_dot) ++fraction_digits;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return malformed();
  std::string_view suffix = text.substr(at);
  int exponent10 = 0;
  int exponent2 = 0;
  auto known = std::find_if(kSuffixes.begin(), kSuffixes.end(),
                            [&](const Suffix& s) { return s.text == suffix; });
  if (known != kSuffixes.end()) {
    exponent10 = known->exponent10;
    exponent2 = known->exponent2;
  } else if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view number = suffix.substr(1);
    bool negative = number[0] == '-';
    if (number[0] == '+' || number[0] == '-') number.remove_prefix(1);
    if (number.empty() || number.size() > 3 ||
        !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return malformed();
    }
    exponent10 = std::stoi(std::string(number)) * (negative ? -1 : 1);
  } else if (!suffix.empty()) {
    return malformed();
  }
  auto too_large = [&] { return unexpected(quoted + " is too large"); };
  // Every int64 is accepted, 19 digits included: format_*_quantity writes such values.
  std::int64_t value = 0;
  for (const char digit : digits) {
    if (__builtin_mul_overflow(value, std::int64_t{10}, &value) ||
        __builtin_add_overflow(value, std::int64_t{digit - '0'}, &value)) {
      return too_large();
    }
  }
  int decimal = exponent10 + scale10 - fraction_digits;
  if (exponent2 > 0 && __builtin_mul_overflow(value, std::int64_t{1} << exponent2, &value)) {
    return too_large();
  }
  for (; decimal > 0; --decimal) {
    if (__builtin_mul_overflow(value, std::int64_t{10}, &value)) return too_large();
  }
  for (; decimal < 0; ++decimal) {
    if (value % 10 != 0) {
      std::string what = quoted + " is not a whole number of " + unit;
      if (scale10 == 0 && suffix == "m") {
        what += " ('m' means milli; did you mean '" + std::string(text.substr(0, text.size() - 1)) +
                "Mi'?)";
      }
      return unexpected(what);
    }
    value /= 10;
  }
  return value;
}

}  // namespace

const std::vector<std::string>& site_config_keys() {
  return known_keys();
}

std::string_view to_string(Backend backend) {
  return backend == Backend::Kubernetes ? "kubernetes" : "local";
}

std::string_view to_string(ImageRule::Match match) {
  switch (match) {
    case ImageRule::Match::Program:
      return "program";
    case ImageRule::Match::Runtime:
      return "runtime";
    case ImageRule::Match::RequestedImage:
      return "requested_image";
  }
  return "program";
}

std::optional<std::string> ImageSettings::reference_for(const std::string& image) const {
  if (auto it = names.find(image); it != names.end()) return it->second;
  if (auto it = releases.find(image); it != releases.end()) return it->second;
  if (image.find_first_of("/:@") != std::string::npos) return image;
  return std::nullopt;
}

std::string ImageSettings::everything_reference() const {
  if (!everything.empty()) return reference_for(everything).value_or("");
  auto it = releases.find(default_release);
  return it == releases.end() ? "" : it->second;
}

std::string_view to_string(VolumeSpec::Type type) {
  switch (type) {
    case VolumeSpec::Type::HostPath:
      return "hostPath";
    case VolumeSpec::Type::Nfs:
      return "nfs";
    case VolumeSpec::Type::Pvc:
      return "pvc";
  }
  return "hostPath";
}

SiteConfig::SiteConfig() {
  images.releases = {
      {"buster", "docker-registry.tools.wmflabs.org/toolforge-buster-sssd:latest"},
      {"bullseye", "docker-registry.tools.wmflabs.org/toolforge-bullseye-sssd:latest"},
      {"bookworm", "docker-registry.tools.wmflabs.org/toolforge-bookworm-sssd:latest"},
  };
  images.names = toolforge_image_names();
  images.rules = toolforge_image_rules();
  // What Toolforge's volume admission webhook mounted into every tool pod.
  home.volumes = {
      {"home", VolumeSpec::Type::HostPath, "/data/project", "", "", "/data/project", false},
      {"scratch", VolumeSpec::Type::HostPath, "/data/scratch", "", "", "/data/scratch", false},
      {"dumps", VolumeSpec::Type::HostPath, "/public/dumps", "", "", "/public/dumps", true},
  };
}

std::string SiteConfig::tool_name(const std::string& user) const {
  if (!tool_prefix.empty() && user.size() > tool_prefix.size() &&
      user.compare(0, tool_prefix.size(), tool_prefix) == 0) {
    return user.substr(tool_prefix.size());
  }
  return user;
}

std::string SiteConfig::namespace_for(const std::string& user) const {
  return expand_template(kubernetes.namespace_template, user, tool_name(user));
}

std::string SiteConfig::home_for(const std::string& user) const {
  return expand_template(home.path_template, user, tool_name(user));
}

std::string_view to_string(MailSettings::StartTls mode) {
  switch (mode) {
    case MailSettings::StartTls::Never:
      return "never";
    case MailSettings::StartTls::Try:
      return "try";
    case MailSettings::StartTls::Always:
      return "always";
  }
  return "try";
}

std::string MailSettings::from_address() const {
  return from.empty() ? "k8sjobs@" + default_domain : from;
}

std::string SiteConfig::default_mail_address(const std::string& user) const {
  return user + "@" + mail.default_domain;
}

std::vector<std::string> SiteConfig::known_releases() const {
  std::vector<std::string> releases;
  for (const auto& [release, image] : images.releases) releases.push_back(release);
  return releases;
}

std::optional<std::string> SiteConfig::image_for(const std::string& release) const {
  auto it = images.releases.find(release);
  if (it == images.releases.end()) return std::nullopt;
  return it->second;
}

std::string SiteConfig::describe_source() const {
  std::string text = source.empty() ? "built-in defaults" : source.string();
  if (!env_overrides.empty()) {
    text += " (overridden by";
    for (std::size_t i = 0; i < env_overrides.size(); ++i) {
      text += (i == 0 ? " " : ", ") + env_overrides[i];
    }
    text += ")";
  }
  return text;
}

std::string expand_template(std::string_view pattern, const std::string& user,
                            const std::string& tool) {
  std::string result;
  std::size_t at = 0;
  while (at < pattern.size()) {
    if (pattern.compare(at, 6, "{user}") == 0) {
      result += user;
      at += 6;
    } else if (pattern.compare(at, 6, "{tool}") == 0) {
      result += tool;
      at += 6;
    } else {
      result += pattern[at++];
    }
  }
  return result;
}

Expected<SiteConfig, SiteConfigError> parse_site_config(const std::string& yaml_text,
                                                        const std::string& source_name) {
  SiteConfig config;
  try {
    yaml::Document document = yaml::Document::parse(yaml_text);
    yaml::Node root = document.root();
    Parser(config).parse(root);
  } catch (const ParseFailure& failure) {
    return unexpected(make_error(source_name, failure.line, failure.what));
  } catch (const yaml::ParseError& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return unexpected(make_error(source_name, line, e.what()));
  }
  return config;
}

Expected<SiteConfig, SiteConfigError> load_site_config(const sys::Environment& env,
                                                       std::filesystem::path default_path) {
  std::filesystem::path path = default_path;
  bool required = false;
  if (auto named = env.get("K8SJOBS_CONFIG"); named && !named->empty()) {
    path = *named;
    required = true;
  }

  SiteConfig config;
  std::error_code ec;
  bool exists = std::filesystem::exists(path, ec);
  if (!exists && !required && !ec) {
    // No site file: a newcomer without a cluster gets the defaults and the local backend.
  } else {
    if (!exists) {
      std::string why = ec ? ec.message() : "No such file or directory";
      if (required) why += " (named by K8SJOBS_CONFIG)";
      return unexpected(make_error(path.string(), 0, "cannot read: " + why));
    }
    if (std::filesystem::is_directory(path, ec)) {
      return unexpected(make_error(path.string(), 0, "cannot read: is a directory"));
    }
    std::ifstream in(path);
    if (!in) {
      return unexpected(
          make_error(path.string(), 0,
                     "cannot read: " + std::error_code(errno, std::generic_category()).message()));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_site_config(text.str(), path.string());
    if (!parsed) return unexpected(parsed.error());
    config = std::move(*parsed);
    config.source = path;
  }

  if (auto backend = env.get("K8SJOBS_BACKEND"); backend && !backend->empty()) {
    if (*backend == "local") {
      config.backend = Backend::Local;
    } else if (*backend == "kubernetes") {
      config.backend = Backend::Kubernetes;
    } else {
      return unexpected(make_error("", 0,
                                   "K8SJOBS_BACKEND: '" + *backend +
                                       "' is not a backend (expected 'local' or 'kubernetes')"));
    }
    config.env_overrides.push_back("K8SJOBS_BACKEND");
  }

  if (auto state = env.get("K8SJOBS_STATE_DIR"); state && !state->empty()) {
    config.local.state_dir = *state;
    config.env_overrides.push_back("K8SJOBS_STATE_DIR");
  } else if (config.local.state_dir.empty()) {
    // XDG base directories: a relative XDG_STATE_HOME is invalid and must be ignored.
    auto xdg = env.get("XDG_STATE_HOME");
    auto home = env.get("HOME");
    if (xdg && !xdg->empty() && xdg->front() == '/') {
      config.local.state_dir = std::filesystem::path(*xdg) / "k8sjobs";
    } else if (home && !home->empty()) {
      config.local.state_dir = std::filesystem::path(*home) / ".local" / "state" / "k8sjobs";
    }
  }
  return config;
}

Expected<std::int64_t, std::string> parse_memory_quantity(std::string_view text) {
  return parse_quantity(text, 0, "bytes", "512Mi, 2Gi, 1G");
}

Expected<std::int64_t, std::string> parse_cpu_quantity(std::string_view text) {
  return parse_quantity(text, 3, "millicores", "500m, 1, 0.5");
}

std::string format_memory_quantity(std::int64_t bytes) {
  static constexpr std::array<std::pair<int, const char*>, 6> kBinary = {
      {{60, "Ei"}, {50, "Pi"}, {40, "Ti"}, {30, "Gi"}, {20, "Mi"}, {10, "Ki"}}};
  if (bytes != 0) {
    for (const auto& [shift, suffix] : kBinary) {
      std::int64_t unit = std::int64_t{1} << shift;
      if (bytes % unit == 0) return std::to_string(bytes / unit) + suffix;
    }
  }
  return std::to_string(bytes);
}

std::string format_cpu_quantity(std::int64_t millis) {
  if (millis % 1000 == 0) return std::to_string(millis / 1000);
  return std::to_string(millis) + "m";
}

}  // namespace k8sjobs::site
