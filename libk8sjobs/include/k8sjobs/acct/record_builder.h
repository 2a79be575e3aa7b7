// SPDX-License-Identifier: Apache-2.0
#pragma once
// The accounting records of a finished job, from the JobRecord both backends already derive
// (the Kubernetes backend from the Job and its pods, the local one from its state file). Pure.

#include <string>
#include <vector>

#include "k8sjobs/acct/accounting_record.h"
#include "k8sjobs/jobs/job_record.h"

namespace k8sjobs::acct {

// Every task of the job has ended (succeeded or failed). A continuous job never finishes on
// its own; a job with no task known is not finished either.
bool job_finished(const jobs::JobRecord& job);

// One record per finished task, keyed "<source>/<task id>" (`source`: "<namespace>/<Job uid>"
// or "local/<job id>"). A task that never started is recorded with failed = 1 (Grid Engine's
// "assumedly before job"); one ended by a signal with failed = 100 ("assumedly after job")
// and exit_status 128 + signal, as Grid Engine wrote them.
// The record of one task of `job` that has ended (however the rest of the job stands): what
// the local supervisor writes as each task ends.
AccountingRecord record_of_task(const jobs::JobRecord& job, const jobs::TaskRecord& task,
                                const std::string& source);

std::vector<AccountingRecord> records_of_finished_job(const jobs::JobRecord& job,
                                                      const std::string& source);

}  // namespace k8sjobs::acct
