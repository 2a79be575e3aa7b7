// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where this build's test data and binaries are. The folders are compiled into one small object
// (build_paths.cpp) rather than into every test's command line, so a test object compiled in one
// clone is the same object in another and ccache reuses it (scripts/build.sh).

namespace k8sjobs::testing {

const char* test_data_dir();  // tests/data of the source tree
const char* binary_dir();     // the build folder

}  // namespace k8sjobs::testing

#define K8SJOBS_TEST_DATA_DIR (::k8sjobs::testing::test_data_dir())
#define K8SJOBS_BINARY_DIR (::k8sjobs::testing::binary_dir())
