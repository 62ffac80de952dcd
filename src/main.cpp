#include "rankme/app/program.hpp"

int main(int argc, char** argv) { return rankme::run_program(argc, argv); }
