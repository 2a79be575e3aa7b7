// k8sjobs-docgen: prints the parts of the man pages and of the bash completion that come from
// the option table, so neither can drift from the parser. Run by the build only.
#include <iostream>
#include <string>

#include "k8sjobs/ge/option_table.h"
#include "k8sjobs/site/site_config.h"

int main(int argc, char** argv) {
  const std::string what = argc == 2 ? argv[1] : "";
  if (what == "submit-options-man") {
    std::cout << k8sjobs::ge::options_manpage_markdown();
    return 0;
  }
  if (what == "qsub-options-man") {  // qsub's page: the options Grid Engine's qsub knows
    std::cout << k8sjobs::ge::options_manpage_markdown("qsub");
    return 0;
  }
  if (what == "options-markdown") {  // the generated part of docs/options.md
    std::cout << k8sjobs::ge::options_markdown();
    return 0;
  }
  if (what == "site-config-keys") {  // one a line
    for (const auto& key : k8sjobs::site::site_config_keys()) std::cout << key << "\n";
    return 0;
  }
  if (what == "submit-option-words" || what == "qsub-option-words") {
    std::string words;
    for (const auto word :
         k8sjobs::ge::option_words(what == "qsub-option-words" ? "qsub" : "jsub")) {
      if (!words.empty()) words += ' ';
      words += word;
    }
    std::cout << words << "\n";
    return 0;
  }
  if (what == "submit-option-arguments") {
    // Options that take an argument: completion offers no option words right after them.
    std::string words;
    for (const auto& spec : k8sjobs::ge::option_table()) {
      if (spec.arg == k8sjobs::ge::ArgKind::None) continue;
      if (!words.empty()) words += ' ';
      words += spec.name;
    }
    std::cout << words << "\n";
    return 0;
  }
  std::cerr << "usage: k8sjobs-docgen "
               "submit-options-man|qsub-options-man|options-markdown|site-config-keys|"
               "submit-option-words|qsub-option-words|submit-option-arguments\n";
  return 2;
}
