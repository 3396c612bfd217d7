#include "CFuzzDriver.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static int (*current)(const uint8_t *data, size_t size);

/// libFuzzer's archive refers to this symbol even when its driver is given the callback.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return current ? current(data, size) : 0;
}

int fuzz_driver_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    current = callback;
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
