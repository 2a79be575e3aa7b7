// SPDX-License-Identifier: Apache-2.0
#pragma once
// Golden files: a test's output compared with a file under tests/data/. With the environment
// variable K8SJOBS_UPDATE_GOLDEN=1 the file is rewritten instead (review the diff before
// committing it).

#include <string>

namespace k8sjobs::testing {

// EXPECTs `actual` equal to the file at `path`, or rewrites it (see above). `regenerate` says
// how to regenerate it, e.g. "--gtest_filter='QsubCorpus.*'".
void expect_golden_file(const std::string& path, const std::string& actual,
                        const std::string& regenerate = "");

}  // namespace k8sjobs::testing
