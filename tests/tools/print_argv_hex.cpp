// SPDX-License-Identifier: Apache-2.0
// The program the byte-for-byte tests submit: prints each argument after argv[0] as
// "arg <hex>" and each environment entry as "env <hex of NAME=VALUE>", one per line, so a
// test compares exactly the bytes the program received (no shell, no locale in between).
#include <cstdio>

extern char** environ;  // NOLINT: POSIX

namespace {

void print_hex(const char* label, const char* text) {
  std::fputs(label, stdout);
  std::fputc(' ', stdout);
  for (const char* c = text; *c != '\0'; ++c) {
    std::fprintf(stdout, "%02x", static_cast<unsigned>(static_cast<unsigned char>(*c)));
  }
  std::fputc('\n', stdout);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) print_hex("arg", argv[i]);
  for (char** entry = environ; *entry != nullptr; ++entry) print_hex("env", *entry);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
