#pragma once
// How the submit commands end. They start on every crontab tick, so the teardown the C and C++
// runtimes would do at exit (OpenSSL's and libcurl's global cleanup, static destructors, freeing
// every block) is time a submission waits for and the kernel does anyway. Call it from main()
// once everything the command owns has been destroyed: it flushes the standard streams and ends
// the process with `code`. Sanitizer builds exit normally, so that LeakSanitizer still checks.

namespace k8sjobs::cli {

[[noreturn]] void exit_without_teardown(int code);

}  // namespace k8sjobs::cli
