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
void default_job(nlohmann::json& job, const std::string& uid);
void default_cronjob(nlohmann::json& cronjob);
void default_deployment(nlohmann::json& deployment);

std::vector<Cause> validate_name(const ResourceType& type, const nlohmann::json& meta);
std::vector<Cause> validate_object(const ResourceType& type, const nlohmann::json& object);

}  // namespace k8sjobs::testing
