// The man-page rendering of the option table (docs/man/jsub.1.md and its siblings include it).
#include <string>

#include "k8sjobs/ge/option_table.h"

namespace k8sjobs::ge {
namespace {

// go-md2man reads Markdown: characters that would start emphasis, code, links or HTML are
// escaped so the table's text reaches the man page literally.
std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']' ||
        c == '`' || c == '#')
      out += '\\';
    out += c;
  }
  return out;
}

std::string sentence(std::string_view text) {
  std::string out = escaped(text);
  if (!out.empty() && out.back() != '.') out += '.';
  if (!out.empty() && out.front() >= 'a' && out.front() <= 'z')
    out.front() = static_cast<char>(out.front() - 'a' + 'A');
  return out;
}

std::string kubernetes_line(const OptionSpec& spec, std::string_view command) {
  switch (spec.disposition) {
    case Disposition::Translated:
      return "On Kubernetes (translated): " + escaped(spec.kubernetes) + ".";
    case Disposition::AcceptedWithWarning:
      return "On Kubernetes (accepted with a warning): " + escaped(spec.kubernetes) + ".";
    case Disposition::Refused:
      return "On Kubernetes (refused): nothing is submitted; the command prints \"" +
             std::string(command) + (command == "qsub" ? ": " : ": error: ") +
             escaped(spec.kubernetes) + "\" and exits with status 2.";
  }
  return "";
}

}  // namespace

std::string options_manpage_markdown(std::string_view command) {
  const bool qsub = command == "qsub";
  std::string out;
  for (const auto& spec : option_table()) {
    if (qsub && !known_to_qsub(spec)) continue;
    out += "**" + escaped(spec.name) + "**";
    if (!spec.metavar.empty()) out += " *" + escaped(spec.metavar) + "*";
    out += "\n: " + sentence(spec.help) + "\n";
    out += "  " + kubernetes_line(spec, command) + "\n";
    if (!spec.known_to_jsub && !qsub)
      out +=
          "  Grid Engine: a qsub option; the last Toolforge jsub refused it as an "
          "unrecognized argument.\n";
    out += "\n";
  }
  return out;
}

}  // namespace k8sjobs::ge
