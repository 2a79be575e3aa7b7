#include "apiserver/selectors.h"

#include <cctype>
#include <cstdlib>

namespace k8sjobs::testing {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

bool valid_key(const std::string& key) {
  if (key.empty() || key.size() > 317) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == '/')) {
      return false;
    }
  }
  return true;
}

bool valid_value(const std::string& value) {
  if (value.size() > 63) return false;
  for (char c : value) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<LabelSelector> LabelSelector::parse(const std::string& text, std::string& error) {
  LabelSelector selector;
  if (trim(text).empty()) return selector;
  for (const std::string& raw : split_top_level(text)) {
    std::string part = trim(raw);
    Requirement req;
    auto fail = [&](const std::string& why) {
      error = "unable to parse requirement: " + why;
      return std::nullopt;
    };
    if (part.empty()) return fail("found '', expected: identifier");
    size_t paren = part.find('(');
    size_t in_pos = part.find(" in ");
    size_t notin_pos = part.find(" notin ");
    if (paren != std::string::npos &&
        (in_pos != std::string::npos || notin_pos != std::string::npos)) {
      bool notin =
          notin_pos != std::string::npos && (in_pos == std::string::npos || notin_pos < in_pos);
      req.key = trim(part.substr(0, notin ? notin_pos : in_pos));
      req.op = notin ? Op::NotIn : Op::In;
      size_t close = part.rfind(')');
      if (close == std::string::npos || close < paren) return fail("found '', expected: ')'");
      std::string inner = part.substr(paren + 1, close - paren - 1);
      size_t start = 0;
      while (true) {
        size_t comma = inner.find(',', start);
        std::string value = trim(
            inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!valid_value(value)) return fail("invalid label value: \"" + value + "\"");
        req.values.push_back(value);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (part[0] == '!') {
      req.key = trim(part.substr(1));
      req.op = Op::DoesNotExist;
    } else {
      size_t op_pos = part.find_first_of("=!<>");
      if (op_pos == std::string::npos) {
        req.key = part;
        req.op = Op::Exists;
      } else {
        req.key = trim(part.substr(0, op_pos));
        std::string rest = part.substr(op_pos);
        size_t op_len = 1;
        if (rest.rfind("==", 0) == 0) {
          req.op = Op::Equals;
          op_len = 2;
        } else if (rest.rfind("!=", 0) == 0) {
          req.op = Op::NotEquals;
          op_len = 2;
        } else if (rest[0] == '=') {
          req.op = Op::Equals;
        } else if (rest[0] == '>') {
          req.op = Op::GreaterThan;
        } else if (rest[0] == '<') {
          req.op = Op::LessThan;
        } else {
          return fail("found '!', expected: '=', '!=', '==', 'in', notin'");
        }
        std::string value = trim(rest.substr(op_len));
        if (req.op == Op::GreaterThan || req.op == Op::LessThan) {
          char* end = nullptr;
          std::strtoll(value.c_str(), &end, 10);
          if (value.empty() || *end != '\0') {
            return fail("for 'Gt', 'Lt' operators, the value must be an integer");
          }
        } else if (!valid_value(value)) {
          return fail("invalid label value: \"" + value + "\"");
        }
        req.values.push_back(value);
      }
    }
    if (!valid_key(req.key)) return fail("invalid label key \"" + req.key + "\"");
    selector.requirements_.push_back(std::move(req));
  }
  return selector;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& req : requirements_) {
    auto it = labels.find(req.key);
    bool has = it != labels.end();
    switch (req.op) {
      case Op::Equals:
      case Op::In: {
        if (!has) return false;
        bool found = false;
        for (const auto& v : req.values) found = found || v == it->second;
        if (!found) return false;
        break;
      }
      case Op::NotEquals:
      case Op::NotIn:
        if (has) {
          for (const auto& v : req.values) {
            if (v == it->second) return false;
          }
        }
        break;
      case Op::Exists:
        if (!has) return false;
        break;
      case Op::DoesNotExist:
        if (has) return false;
        break;
      case Op::GreaterThan:
      case Op::LessThan: {
        if (!has) return false;
        char* end = nullptr;
        long long have = std::strtoll(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end != '\0') return false;
        long long want = std::strtoll(req.values[0].c_str(), nullptr, 10);
        if (req.op == Op::GreaterThan ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

std::optional<FieldSelector> FieldSelector::parse(
    const std::string& text, const std::function<bool(const std::string&)>& supported,
    std::string& error) {
  FieldSelector selector;
  if (trim(text).empty()) return selector;
  // Values may escape ',', '=' and '\' with a backslash.
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      current += text[i];
      current += text[++i];
    } else if (text[i] == ',') {
      parts.push_back(current);
      current.clear();
    } else {
      current += text[i];
    }
  }
  parts.push_back(current);
  for (const std::string& part : parts) {
    Requirement req;
    size_t pos = std::string::npos;
    size_t op_len = 0;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '\\') {
        ++i;
        continue;
      }
      if (part.compare(i, 2, "!=") == 0) {
        pos = i, op_len = 2, req.equals = false;
        break;
      }
      if (part.compare(i, 2, "==") == 0) {
        pos = i, op_len = 2, req.equals = true;
        break;
      }
      if (part[i] == '=') {
        pos = i, op_len = 1, req.equals = true;
        break;
      }
    }
    if (pos == std::string::npos) {
      error = "invalid selector: '" + text + "'; can't understand '" + part + "'";
      return std::nullopt;
    }
    req.field = trim(part.substr(0, pos));
    std::string raw = part.substr(pos + op_len);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
      req.value += raw[i];
    }
    if (!supported(req.field)) {
      error = "field label not supported: " + req.field;
      return std::nullopt;
    }
    selector.requirements_.push_back(std::move(req));
  }
  return selector;
}

bool FieldSelector::matches(const std::function<std::string(const std::string&)>& value_of) const {
  for (const auto& req : requirements_) {
    if ((value_of(req.field) == req.value) != req.equals) return false;
  }
  return true;
}

}  // namespace k8sjobs::testing
