// SPDX-License-Identifier: Apache-2.0
#pragma once
// Prometheus metrics of k8sjobs-controller, kept by one object the program owns (no global
// registry): counters, gauges and histograms by name and label values, and their exposition in
// the text format 0.0.4 that /metrics serves. Thread-safe: the loop counts, the HTTP thread reads.

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace k8sjobs::status {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  enum class Type { Counter, Gauge, Histogram };

  // Every metric is described once before use; a histogram with its bucket bounds (ascending).
  void describe(const std::string& name, Type type, const std::string& help,
                std::vector<double> buckets = {});
  void add(const std::string& name, const MetricLabels& labels = {}, double delta = 1.0);
  void set(const std::string& name, const MetricLabels& labels, double value);
  // Forgets every label set of a gauge (before setting it again from a new snapshot).
  void reset(const std::string& name);
  void observe(const std::string& name, const MetricLabels& labels, double value);

  // "# HELP", "# TYPE" and one line per series, metrics in name order, series in label order.
  std::string exposition() const;

 private:
  struct Histogram {
    std::vector<unsigned long long> counts;  // per bucket, not cumulative
    unsigned long long count = 0;
    double sum = 0.0;
  };
  struct Family {
    Type type = Type::Gauge;
    std::string help;
    std::vector<double> buckets;
    std::map<MetricLabels, double> values;
    std::map<MetricLabels, Histogram> histograms;
  };
  Family& family(const std::string& name);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// A label value or HELP text as the text format wants it: \\, \" and \n escaped.
std::string escape_label_value(const std::string& value);
// A sample value: integers without a fraction, +Inf/-Inf/NaN spelled as Prometheus does.
std::string format_sample_value(double value);

}  // namespace k8sjobs::status
