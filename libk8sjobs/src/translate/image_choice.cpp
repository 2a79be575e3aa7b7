// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/translate/image_choice.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "k8sjobs/ge/output_paths.h"
#include "k8sjobs/translate/script_interpreters.h"

namespace k8sjobs::translate {

namespace {

using site::ImageRule;
using site::ImageSettings;

TranslateError refusal(const std::string& what) {
  return TranslateError{"Unable to run job: " + what + "\nExiting.", 1};
}

std::string joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

// The first rule of this kind that names the word.
std::optional<std::size_t> rule_for(const ImageSettings& images, ImageRule::Match match,
                                    const std::string& word) {
  for (std::size_t i = 0; i < images.rules.size(); ++i) {
    const ImageRule& rule = images.rules[i];
    if (rule.match != match) continue;
    if (std::find(rule.words.begin(), rule.words.end(), word) != rule.words.end()) return i;
  }
  return std::nullopt;
}

std::vector<std::string> program_words(const ImageSettings& images) {
  std::vector<std::string> words;
  for (const auto& rule : images.rules) {
    if (rule.match == ImageRule::Match::Program) {
      words.insert(words.end(), rule.words.begin(), rule.words.end());
    }
  }
  return words;
}

ImageChoice by_rule(const ImageSettings& images, std::size_t index, std::string reason) {
  const ImageRule& rule = images.rules[index];
  // The site configuration reader checked that every rule's image resolves.
  return ImageChoice{images.reference_for(rule.image).value_or(rule.image), rule.image,
                     "images.rules[" + std::to_string(index) + "]", std::move(reason), ""};
}

Expected<ImageChoice, TranslateError> by_release(const ImageSettings& images,
                                                 const std::string& release, std::string rule,
                                                 std::string reason) {
  auto it = images.releases.find(release);
  if (it == images.releases.end()) {
    return unexpected(refusal("no image is configured for release \"" + release + "\"."));
  }
  return ImageChoice{it->second, release, std::move(rule), std::move(reason), ""};
}

Expected<ImageChoice, TranslateError> everything(const ImageSettings& images,
                                                 const ImageQuery& query, std::string reason,
                                                 const std::string& why) {
  const std::string reference = images.everything_reference();
  if (reference.empty()) {
    return unexpected(refusal("no image is configured for release \"" + query.release + "\"."));
  }
  const std::string name = images.everything.empty() ? images.default_release : images.everything;
  return ImageChoice{reference, name, "images.everything", std::move(reason),
                     why + "; the job runs in " + name + " (images.everything)"};
}

// A program's (or #! interpreter's) word: the first rule naming it; an interpreter no rule
// names runs in the everything image (with a warning); any other program in the release's.
Expected<ImageChoice, TranslateError> by_interpreter(const ImageSettings& images,
                                                     const ImageQuery& query,
                                                     const std::string& word, std::string reason) {
  if (auto index = rule_for(images, ImageRule::Match::Program, word)) {
    return by_rule(images, *index, std::move(reason));
  }
  if (is_interpreter_word(word, program_words(images))) {
    return everything(images, query, std::move(reason), "no image rule names " + word);
  }
  return by_release(images, query.release, "images.releases",
                    reason + ": no rule names " + word + ", the release's image");
}

// A shell script: one image that has every interpreter it calls, else the everything image.
Expected<ImageChoice, TranslateError> by_script_words(const ImageSettings& images,
                                                      const ImageQuery& query,
                                                      std::string_view script) {
  const auto called = interpreters_called(script, program_words(images));
  if (called.empty()) {
    return by_release(images, query.release, "images.releases",
                      "shell script calls no interpreter a rule names");
  }
  const std::string reason = "shell script calls " + joined(called, ", ");
  // An image has a word when some rule of the word gives it.
  auto has = [&](const std::string& reference, const std::string& word) {
    return std::any_of(images.rules.begin(), images.rules.end(), [&](const ImageRule& rule) {
      return rule.match == ImageRule::Match::Program &&
             std::find(rule.words.begin(), rule.words.end(), word) != rule.words.end() &&
             images.reference_for(rule.image) == reference;
    });
  };
  for (const auto& word : called) {
    const auto index = rule_for(images, ImageRule::Match::Program, word);
    if (!index) continue;
    const auto reference = images.reference_for(images.rules[*index].image);
    if (std::all_of(called.begin(), called.end(), [&](const std::string& other) {
          return reference && has(*reference, other);
        })) {
      return by_rule(images, *index, reason);
    }
  }
  return everything(
      images, query, reason,
      query.program + " calls " + joined(called, " and ") +
          (called.size() == 1 ? ", which no image rule names" : ", which no one image has"));
}

// `bash run.sh`, `sh -e run.sh` is not a script argument (an option first: left alone).
bool runs_script_argument(const ge::SubmitRequest& request) {
  return !request.script && is_shell(basename_of(request.program)) &&
         !request.program_args.empty() && !request.program_args.front().empty() &&
         !request.program_args.front().starts_with('-');
}

}  // namespace

std::optional<std::string> image_script_path(const ge::SubmitRequest& request) {
  if (request.script) return std::nullopt;
  if (runs_script_argument(request)) {
    return ge::absolute_path(request.working_dir.empty() ? request.submit_cwd : request.working_dir,
                             request.program_args.front());
  }
  if (request.resolved_program.starts_with('/')) return request.resolved_program;
  return std::nullopt;
}

ImageQuery image_query_of(const ge::SubmitRequest& request,
                          std::optional<std::string> script_text) {
  ImageQuery query;
  query.program = request.resolved_program.empty() ? request.program : request.resolved_program;
  query.script = request.script ? request.script : std::move(script_text);
  if (request.script && request.shell && !request.shell->empty()) query.shell = request.shell;
  if (runs_script_argument(request)) {
    query.shell = query.program;
    query.program = image_script_path(request).value_or(query.program);
  }
  query.requested_image = request.requested_image;
  query.requested_runtime = request.requested_runtime;
  query.release = request.release;
  query.release_given = request.release_given;
  return query;
}

std::string ImageChoice::summary() const {
  return rule + ": " + reason + " -> " + name;
}

Expected<ImageChoice, TranslateError> choose_image(const ImageQuery& query,
                                                   const ImageSettings& images) {
  if (query.requested_image) {
    const std::string& name = *query.requested_image;
    if (auto index = rule_for(images, ImageRule::Match::RequestedImage, name)) {
      return by_rule(images, *index, "-l image=" + name);
    }
    // A name the site lists (images.names, images.releases), never any reference a user types:
    // the site decides which images its jobs run.
    std::map<std::string, std::string> known = images.releases;
    for (const auto& [known_name, reference] : images.names) known[known_name] = reference;
    auto it = known.find(name);
    if (it == known.end()) {
      std::vector<std::string> names;
      for (const auto& [known_name, reference] : known) names.push_back(known_name);
      return unexpected(refusal("no image named \"" + name + "\" (-l image=" + name + "); known: " +
                                (names.empty() ? "none" : joined(names, ", ")) + "."));
    }
    return ImageChoice{it->second, name, "-l image", "-l image=" + name, ""};
  }
  if (query.requested_runtime) {
    const std::string& name = *query.requested_runtime;
    auto index = rule_for(images, ImageRule::Match::Runtime, name);
    if (!index) index = rule_for(images, ImageRule::Match::Program, name);
    if (!index) {
      return unexpected(
          refusal("no image rule for runtime \"" + name + "\" (-l runtime=" + name + ")."));
    }
    return by_rule(images, *index, "-l runtime=" + name);
  }
  if (query.release_given) {
    return by_release(images, query.release, "-release", "-release " + query.release);
  }
  if (query.shell) {
    const std::string shell = basename_of(*query.shell);
    if (is_shell(shell)) return by_script_words(images, query, query.script.value_or(""));
    return by_interpreter(images, query, shell, "-S " + shell);
  }
  const std::string word = basename_of(query.program);
  if (rule_for(images, ImageRule::Match::Program, word) ||
      is_interpreter_word(word, program_words(images))) {
    return by_interpreter(images, query, word, "program " + word);
  }
  if (query.script) {
    const auto interpreter = shebang_interpreter(*query.script);
    if (!interpreter || is_shell(*interpreter)) {
      return by_script_words(images, query, *query.script);
    }
    return by_interpreter(images, query, *interpreter, "#! " + *interpreter);
  }
  return by_release(images, query.release, "images.releases",
                    "program " + word + ": no rule names it, the release's image");
}

}  // namespace k8sjobs::translate
