#pragma once
// DatasetResult as a JSON object: the documented keys of `--format jsonl` and of `--output x.jsonl`, and
// (as CBOR, with exact doubles and byte-exact names) the messages that carry results to rank 0.
#include <nlohmann/json.hpp>

#include <optional>

#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

// Keys: file, dataset, rows, cols, dtype, rankme (null when none), status, error (null when none),
// seconds, ranks, solver (null when none), file_size, file_mtime_ns, canonical_file (null when unknown),
// lidar (null when not computed), params (an object, possibly empty), blas (null when unknown; see
// blas_kernel_to_json); and singular_values only when the result holds them
// (--spectrum; to_json_line drops that key, so reports never carry it).
nlohmann::json result_to_json(const DatasetResult& result);

// The inverse. Keys beyond file, dataset, rows, cols, status and rankme are optional (reports saved by
// older versions lack the file identity, or canonical_file only). Throws std::runtime_error saying what
// is missing or wrong.
DatasetResult result_from_json(const nlohmann::json& json);

// The results' `blas` object: {"library": "OpenBLAS", "version": "0.3.21", "kernel": "Cooperlake",
// "chosen_by": "library" | "user" | "rankme"}, and "library_kernel" (the library's own pick) when rankme chose.
nlohmann::json blas_kernel_to_json(const BlasKernelReport& report);
// The inverse; nothing when `json` is not such an object (null, or a key missing or of another type).
std::optional<BlasKernelReport> blas_kernel_from_json(const nlohmann::json& json);

}  // namespace rankme
