#include <iostream>

#include "config/config_loader.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  try {
    freshness::LoadConfigFile(argv[1]);
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  return 0;
}
