#pragma once
// The small XML writer behind qstat -xml: Grid Engine's layout (2 spaces per level, one
// element per line, no self-closing tags) with text escaped.

#include <string>

namespace k8sjobs::qstat {

// Escapes &, <, >, ' and " for element text and attribute values.
std::string xml_escape(const std::string& text);

class XmlWriter {
 public:
  // The declaration line is Grid Engine's: <?xml version='1.0'?>
  XmlWriter() : out_("<?xml version='1.0'?>\n") {}

  // Opens <name attributes>; `attributes` is written verbatim after a space (escape values).
  void open(const std::string& name, const std::string& attributes = "");
  void close(const std::string& name);
  // <name>escaped text</name> on one line.
  void leaf(const std::string& name, const std::string& text);
  // Raw text appended as is (for Grid Engine's root element with its two spaces).
  void raw(const std::string& text) { out_ += text; }
  int depth() const { return depth_; }
  std::string str() const { return out_; }

 private:
  std::string indent() const { return std::string(static_cast<size_t>(depth_) * 2, ' '); }
  std::string out_;
  int depth_ = 0;
};

}  // namespace k8sjobs::qstat
