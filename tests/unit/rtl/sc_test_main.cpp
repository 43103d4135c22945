// main() of the RTL unit test binaries. Our own, not gtest_main's: libsystemc
// also exports a main() (which would call sc_main and skip the tests) and
// comes first on the link line; an object file always wins over both.
#include <gtest/gtest.h>

// libsystemc.so refers to sc_main from its own main(); never called here.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
