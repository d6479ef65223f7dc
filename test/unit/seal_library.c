/* seal_library.c - seals the test suite's hand-written stand-in model
 * libraries the way `kiln compile` seals its output, so that they pass
 * kiln_check_library(). Usage: seal_library FILE.so */
#include "kiln_seal.h"

int main(int argc, char **argv) {
  if (argc != 2 || kiln_seal_library(argv[1]) != 0) {
    fprintf(stderr, "seal_library: cannot seal '%s'\n",
            argc > 1 ? argv[1] : "(no file)");
    return 1;
  }
  return 0;
}
