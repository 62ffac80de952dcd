#pragma once
// Natural sort order of file names: runs of digits compare as numbers, so that DDP shards come in rank
// order (emb_rank2 before emb_rank10), where a byte-wise sort (and a shell glob) puts rank10 first.
#include <string>

namespace rankme {

// Whether `a` comes before `b`: text compared byte-wise, digit runs by value (leading zeros ignored; of
// equal values, the shorter spelling first); equal under that, byte-wise, so the order is total.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace rankme
