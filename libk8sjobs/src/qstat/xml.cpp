#include "k8sjobs/qstat/xml.h"

namespace k8sjobs::qstat {

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
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
