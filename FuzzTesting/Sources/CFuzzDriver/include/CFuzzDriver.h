#ifndef C_FUZZ_DRIVER_H
#define C_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `callback` as the code under test (libFuzzer's own `main` is not
/// linked: SwiftPM names an executable's entry point `<Target>_main`).
int fuzz_driver_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
#endif
