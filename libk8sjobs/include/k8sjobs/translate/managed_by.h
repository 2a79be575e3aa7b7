// SPDX-License-Identifier: Apache-2.0
#pragma once
// The label selector of everything k8sjobs made, for LISTs and watches.

#include <string>

#include "k8sjobs/translate/labels.h"

namespace k8sjobs::translate {

// "app.kubernetes.io/managed-by=k8sjobs".
inline std::string managed_by_selector() {
  return std::string(kManagedByLabel) + "=" + kManagedByValue;
}

}  // namespace k8sjobs::translate
