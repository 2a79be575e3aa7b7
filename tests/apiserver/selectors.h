#pragma once
// Kubernetes label and field selectors as the API server parses them from list/watch queries.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace k8sjobs::testing {

class LabelSelector {
 public:
  // Parses "a=b,c!=d,e in (f,g),h notin (i),j,!k"; returns nullopt and sets `error` when invalid.
  static std::optional<LabelSelector> parse(const std::string& text, std::string& error);
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  // Parses "metadata.name=x,status.phase!=Running"; `supported` says which fields exist.
  static std::optional<FieldSelector> parse(
      const std::string& text, const std::function<bool(const std::string&)>& supported,
      std::string& error);
  // `value_of` returns the object's value for a field.
  bool matches(const std::function<std::string(const std::string&)>& value_of) const;
  bool empty() const { return requirements_.empty(); }

 private:
  struct Requirement {
    std::string field;
    bool equals;
    std::string value;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace k8sjobs::testing
