#include "k8sjobs/kube/resources.h"

namespace k8sjobs::kube {

std::string ResourceKind::api_version() const {
  if (group.empty()) return std::string(version);
  return std::string(group) + "/" + std::string(version);
}

std::string ResourceKind::collection_path(std::string_view ns) const {
  std::string path = group.empty() ? "/api/" : "/apis/" + std::string(group) + "/";
  path += version;
  // No namespace: the collection across all namespaces (k8sjobs-controller --all-namespaces).
  if (!ns.empty()) {
    path += "/namespaces/";
    path += url_encode(ns);
  }
  path += "/";
  path += plural;
  return path;
}

std::string ResourceKind::object_path(std::string_view ns, std::string_view name) const {
  return collection_path(ns) + "/" + url_encode(name);
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace k8sjobs::kube
