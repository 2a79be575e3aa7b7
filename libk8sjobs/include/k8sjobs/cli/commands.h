// SPDX-License-Identifier: Apache-2.0
#pragma once
// The body of each command's main(). Each is defined beside its command's run function, so a
// program links only the command it runs (jsub loads no more than it did: ARCHITECTURE.md).

namespace k8sjobs::cli {

int jsub_main(int argc, char** argv);  // jsub, or qcronsub when invoked by that name
int jstart_main(int argc, char** argv);
int qsub_main(int argc, char** argv);  // Grid Engine's qsub: a job script by default
int qstat_main(int argc, char** argv);
int qdel_main(int argc, char** argv);
int qacct_main(int argc, char** argv);
int qhold_main(int argc, char** argv);
int qrls_main(int argc, char** argv);
int job_main(int argc, char** argv);
int jstop_main(int argc, char** argv);
int jlocal_main(int argc, char** argv);
int migrate_main(int argc, char** argv);

}  // namespace k8sjobs::cli
