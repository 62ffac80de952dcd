// The tensor files written by real tools (tests/data/formats, make_format_fixtures.py there), for the
// binary tests that score them: the folder the build names RANKME_FORMAT_FIXTURES.
#pragma once

#include <string>

#ifndef RANKME_FORMAT_FIXTURES
#error "RANKME_FORMAT_FIXTURES (the folder tests/data/formats) must be defined by the build"
#endif

namespace rankme::testing {

inline const std::string format_fixture_folder = RANKME_FORMAT_FIXTURES;

}  // namespace rankme::testing
