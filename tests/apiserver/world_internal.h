#pragma once
// Helpers shared by world*.cpp: Status builders, defaulting and validation.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apiserver/world.h"

namespace k8sjobs::testing {

struct Cause {
  std::string reason;
  std::string message;
  std::string field;
};

const ResourceType& resource_of(const std::string& plural);

OrderedJson resource_details(const ResourceType& type, const std::string& name);
Reply not_found(const ResourceType& type, const std::string& name);
Reply conflict(const ResourceType& type, const std::string& name, const std::string& why);
Reply modified_conflict(const ResourceType& type, const std::string& name);
Reply bad_request(const std::string& message);
Reply invalid(const ResourceType& type, const std::string& name, const std::vector<Cause>& causes);

void default_pod_template_spec(nlohmann::json& spec);
void default_pod_spec(nlohmann::json& spec);
std::string qos_class(const nlohmann::json& spec);
// A pod with spec.schedulingGates: the PodScheduled=False/SchedulingGated condition the API
// server sets when it is created (the scheduler leaves it alone until they are all removed).
bool scheduling_gated(const nlohmann::json& pod);
void mark_scheduling_gated(nlohmann::json& pod);
// Pod updates may only remove scheduling gates, never add one.
std::vector<Cause> validate_scheduling_gates_update(const nlohmann::json& before,
                                                    const nlohmann::json& after);
void default_job(nlohmann::json& job, const std::string& uid);
void default_cronjob(nlohmann::json& cronjob);
void default_deployment(nlohmann::json& deployment);

std::vector<Cause> validate_name(const ResourceType& type, const nlohmann::json& meta);
std::vector<Cause> validate_object(const ResourceType& type, const nlohmann::json& object);

}  // namespace k8sjobs::testing
