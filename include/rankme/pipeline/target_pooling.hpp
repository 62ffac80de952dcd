#pragma once
// --pool applied to what discovery found, for every format alike: discovery lists an array of 3 or more
// axes with its full shape (DatasetTarget::shape, rows and cols 0) whatever the file format, and this step
// right after it decides what becomes of it. Every rank applies it to the same broadcast discovery.
#include "rankme/io/pool_mode.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// With a mode: each such target gets the pooled matrix's rows and cols (pool_mode.hpp) and `pool`.
// Without one (PoolMode::none): one found by a scan or a pattern is dropped with a note ("skipped dataset
// '/tokens' in 'a.h5': 3-D (1000, 197, 768): use --pool mean|first|last|flatten"), one named explicitly
// becomes an error target that names --pool, and a file left with nothing to score by that becomes an
// error target, as a file with no matrix is. Matrices and error targets are left as they are.
void pool_targets(Discovery& discovery, PoolMode mode);

}  // namespace rankme
