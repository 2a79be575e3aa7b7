// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/jobs/backend.h"

namespace k8sjobs::jobs {

Expected<AccountingListing, BackendError> JobBackend::read_accounting(const AccountingFilter&) {
  return unexpected(BackendError{"no accounting is kept by this backend", 1});
}

}  // namespace k8sjobs::jobs
