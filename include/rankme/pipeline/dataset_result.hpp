#pragma once
// The outcome of scoring one dataset: what the reports print.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rankme/lapack/blas_kernel_report.hpp"
#include "rankme/pipeline/run_params.hpp"

namespace rankme {

enum class ResultStatus {
  ok,         // scored
  nonfinite,  // the data holds NaN or infinity (a diverged run): a property of the data, no number
  error,      // could not be read or scored; `error` says why
  interrupted,  // abandoned on a stop request (SIGTERM): not a result, never written; --resume redoes it
};

const char* status_name(ResultStatus status);
// The inverse; throws std::runtime_error for an unknown name.
ResultStatus status_from_name(const std::string& name);

// Where one dataset's time went (--timings), in seconds: the largest over the ranks that scored it, each
// phase on its own. read and convert run on the prefetching thread, hidden behind gram as far as they
// can be; read_wait is the time the products waited for the next block, what was not hidden.
struct PhaseTimings {
  double open = 0;        // opening the file and dataset on every rank, checks
  double read = 0;        // H5Dread of the stored values (H5Dread_chunk when rankme decodes the chunks)
  double decode = 0;      // inflating compressed chunks on rankme's decoding threads (0 when HDF5 decodes)
  double convert = 0;     // decoding them to double or float32, finiteness check
  double read_wait = 0;   // the products waiting for a block
  double gram = 0;        // block products and their sums into the double Gram matrix
  double reduce = 0;      // the Allreduce over ranks
  double eigensolve = 0;  // eigenvalues
  double metrics = 0;     // RankMe, the other metrics, the precision criterion
  double total = 0;       // the whole dataset (also what a discarded mixed pass cost)
  std::uint64_t block_rows = 0;  // rows per block and rank
};

// One of the datasets a --concat result stacked, as listed: what --resume knows it by.
struct ResultPart {
  std::string file;            // as given
  std::string dataset;
  std::uint64_t rows = 0;
  std::string canonical_file;  // empty when unknown
  std::uint64_t file_size = 0;
  std::int64_t file_mtime_ns = 0;
};

struct DatasetResult {
  std::string file;            // as given on the command line
  std::string dataset;         // absolute HDF5 path (empty when the file itself failed)
  std::uint64_t rows = 0;       // the dataset's rows
  std::uint64_t rows_used = 0;  // rows scored: all, or --rows / --sample
  std::uint64_t cols = 0;
  std::string dtype;
  std::optional<double> rankme;
  // The other spectral metrics asked for (--metrics), by name (spectrum_metrics.hpp: metric_names()); a
  // value may be infinite (condition_number of a rank-deficient matrix) or NaN (alpha_req without points).
  std::map<std::string, double> metrics;
  // LiDAR (Thilak et al., ICLR 2024) when --lidar asked for it and the views' groups were known.
  std::optional<double> lidar;
  // The run's hyperparameters and checkpoint position (run_params.hpp), as discovery found them.
  Params params;
  ResultStatus status = ResultStatus::ok;
  std::string error;
  double seconds = 0;
  int ranks = 1;
  std::string solver;          // which eigensolver ran ("lapack", "scalapack 2x2/64")
  std::string precision;       // which block products produced the number: "double" or "mixed" (--precision)
  bool precision_fallback = false;  // --precision auto scored it in mixed first, then again in double
  // --precision auto: the predicted relative RankMe error of the mixed pass (precision_criterion.hpp);
  // nothing when auto did not run its criterion or could not measure the float32 error.
  std::optional<double> mixed_error_estimate;
  std::string method;               // the route that gave the number: "gram" or "tsqr" (--method)
  bool method_fallback = false;     // --method auto scored it by the Gram route first, then again by TSQR
  // The Gram route's predicted relative RankMe error (gram_route_error.hpp), whenever the Gram route ran
  // to the end; above --tolerance, auto took TSQR's number instead.
  std::optional<double> predicted_error;
  std::optional<PhaseTimings> timings;  // --timings
  std::uint64_t file_size = 0;     // the file as listed (see DatasetTarget), for --resume
  std::int64_t file_mtime_ns = 0;
  std::string canonical_file;      // the file however it was spelled (see DatasetTarget); empty when unknown
  std::string pool;                // --pool mode that made an N-D array a matrix ("mean", ...); empty: none
  std::vector<ResultPart> parts;   // --concat: the datasets stacked, in row order; empty otherwise
  std::uint64_t part_count = 0;    // parts.size(), or what a CSV line (which lists no parts) says
  // The singular values, descending, when ScoreOptions::keep_spectrum asked for them (--spectrum) and the
  // dataset was scored; carried to rank 0 with the result, never written to the reports.
  std::vector<double> singular_values;

  // The BLAS library and kernel of the run that scored it (the guard's report, set on rank 0 as the result
  // is written); nothing in results read from files written before rankme reported it.
  std::optional<BlasKernelReport> blas;
};

}  // namespace rankme
