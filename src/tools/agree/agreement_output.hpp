#pragma once
// rankme-agree's output: an aligned table for people, JSON lines or CSV for scripts (one record per metric
// and group, every number at full precision, NaN as null in JSON and "nan" in CSV).
#include <ostream>
#include <vector>

#include "agreement.hpp"

namespace rankme::agree {

enum class AgreementFormat { table, jsonl, csv };

// `grouped`: the entries carry a group (--within), which gets its own column.
void print_agreement(const std::vector<MetricAgreement>& agreements, AgreementFormat format, bool grouped,
                     std::ostream& out);

}  // namespace rankme::agree
