#include "k8sjobs/qstat/xml.h"

#include "k8sjobs/text/markup_escape.h"

namespace k8sjobs::qstat {

std::string xml_escape(const std::string& text) {
  return text::escape_markup(text, text::MarkupDialect::xml);
}

void XmlWriter::open(const std::string& name, const std::string& attributes) {
  out_ += indent() + "<" + name + (attributes.empty() ? "" : " " + attributes) + ">\n";
  ++depth_;
}

void XmlWriter::close(const std::string& name) {
  --depth_;
  out_ += indent() + "</" + name + ">\n";
}

void XmlWriter::leaf(const std::string& name, const std::string& text) {
  out_ += indent() + "<" + name + ">" + xml_escape(text) + "</" + name + ">\n";
}

}  // namespace k8sjobs::qstat
