// Prints the highest x86-64 micro-architecture level this machine runs (CMake try_run).
#include <cstdio>

int main() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v3"))
    std::puts("x86-64-v3");
  else if (__builtin_cpu_supports("x86-64-v2"))
    std::puts("x86-64-v2");
  else
    std::puts("baseline");
  return 0;
}
