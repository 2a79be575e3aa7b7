// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/status/metrics_registry.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace k8sjobs::status {

namespace {

const char* type_name(MetricsRegistry::Type type) {
  switch (type) {
    case MetricsRegistry::Type::Counter:
      return "counter";
    case MetricsRegistry::Type::Gauge:
      return "gauge";
    case MetricsRegistry::Type::Histogram:
      return "histogram";
  }
  return "untyped";
}

std::string label_text(const MetricLabels& labels, const std::string& extra_name = "",
                       const std::string& extra_value = "") {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    out += (first ? "" : ",") + name + "=\"" + escape_label_value(value) + "\"";
    first = false;
  }
  if (!extra_name.empty())
    out += (first ? "" : ",") + extra_name + "=\"" + escape_label_value(extra_value) + "\"";
  return out + "}";
}

}  // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[32];
  auto written = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
  return std::string(buffer, written.ptr);
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name) {
  auto found = families_.find(name);
  if (found == families_.end()) throw std::logic_error("metric " + name + " was not described");
  return found->second;
}

void MetricsRegistry::describe(const std::string& name, Type type, const std::string& help,
                               std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  Family& described = families_[name];
  described.type = type;
  described.help = help;
  described.buckets = std::move(buckets);
}

void MetricsRegistry::add(const std::string& name, const MetricLabels& labels, double delta) {
  std::lock_guard lock(mutex_);
  family(name).values[labels] += delta;
}

void MetricsRegistry::set(const std::string& name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name).values[labels] = value;
}

void MetricsRegistry::reset(const std::string& name) {
  std::lock_guard lock(mutex_);
  family(name).values.clear();
}

void MetricsRegistry::observe(const std::string& name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mutex_);
  Family& observed = family(name);
  Histogram& histogram = observed.histograms[labels];
  histogram.counts.resize(observed.buckets.size());
  for (std::size_t i = 0; i < observed.buckets.size(); ++i) {
    if (value <= observed.buckets[i]) {
      ++histogram.counts[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum += value;
}

std::string MetricsRegistry::exposition() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, metric] : families_) {
    out += "# HELP " + name + " " + escape_label_value(metric.help) + "\n";
    out += "# TYPE " + name + " " + type_name(metric.type) + "\n";
    if (metric.type != Type::Histogram) {
      for (const auto& [labels, value] : metric.values)
        out += name + label_text(labels) + " " + format_sample_value(value) + "\n";
      continue;
    }
    for (const auto& [labels, histogram] : metric.histograms) {
      unsigned long long cumulative = 0;
      for (std::size_t i = 0; i < metric.buckets.size(); ++i) {
        cumulative += histogram.counts[i];
        out += name + "_bucket" + label_text(labels, "le", format_sample_value(metric.buckets[i])) +
               " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + label_text(labels, "le", "+Inf") + " " +
             std::to_string(histogram.count) + "\n";
      out += name + "_sum" + label_text(labels) + " " + format_sample_value(histogram.sum) + "\n";
      out += name + "_count" + label_text(labels) + " " + std::to_string(histogram.count) + "\n";
    }
  }
  return out;
}

}  // namespace k8sjobs::status
