// CPKCS11 is a header-only description of the PKCS#11 C interface; SwiftPM needs one source file.
#include "CPKCS11.h"
