#pragma once
// printf-style formatting into std::string for the renderers, whose layouts are specified as
// Grid Engine's printf formats.

#include <cstdarg>
#include <cstdio>
#include <string>

namespace k8sjobs::qstat::detail {

__attribute__((format(printf, 1, 2))) inline std::string format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out(static_cast<size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, args);
  va_end(args);
  return out;
}

}  // namespace k8sjobs::qstat::detail
