// The Python module's compiled half, `rankme._rankme` (docs/python.md): scores an array the interpreter
// holds through the same pipeline as the command line (pipeline/dataset_score.hpp: score_row_source over
// a MemoryRowSource that borrows the array's memory), and returns the result as the JSON line's keys
// (sweep/dataset_result_json.hpp). rankme/__init__.py turns whatever it is given into a numpy array and
// calls score_array; everything that decides what the result is happens here, in the core's own code.
//
// A consumer of the core, like the tools (src/tools/): it sits above every area.
#include <mpi.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/formats/npy_header.hpp"
#include "rankme/formats/tensor_entry.hpp"
#include "rankme/io/memory_row_source.hpp"
#include "rankme/numerics/precision_criterion.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/parallel/blas_kernel_guard.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/mpi_session.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/memory_budget.hpp"
#include "rankme/pipeline/tensor_file_discovery.hpp"
#include "rankme/sweep/dataset_result_json.hpp"
#include "rankme/sweep/text_output.hpp"

namespace py = pybind11;

namespace {

// MPI for this process, started by the first score and finalised at the interpreter's exit (finalize(),
// registered with atexit by __init__.py). Left alone when someone else started it (mpi4py): then they
// finalise it. One process, no launcher: OpenMPI and MPICH both start a singleton from MPI_Init.
std::unique_ptr<rankme::MpiSession>& mpi_session() {
  static std::unique_ptr<rankme::MpiSession> session;
  return session;
}

void ensure_mpi() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (finalised) throw std::runtime_error("rankme.score: MPI has been finalised (the interpreter is exiting)");
  if (initialised) return;
  int argc = 0;
  char** argv = nullptr;
  mpi_session() = std::make_unique<rankme::MpiSession>(argc, argv);
}

void finalize() { mpi_session().reset(); }

// The stored type of a numpy dtype, by its descr ('<f4', '|i1', '>f8'): the .npy reader's own mapping
// (formats/npy_header.hpp), so that an array scores as the same array saved with np.save would. "bfloat16"
// (torch's, which numpy has no dtype for: __init__.py passes its bits as uint16) is the one addition.
std::optional<rankme::StoredType> stored_type_of(const std::string& descr, std::string& dtype) {
  if (descr == "bfloat16") {
    dtype = "bfloat16";
    return rankme::StoredType::bfloat16();
  }
  return rankme::npy_descr_type(descr, dtype, "rankme.score");
}

// The option checks of the command line (app/command_line.cpp) for the keywords that have them there as
// CLI11 validators; the enumerations are checked by their own parsers (method_from_name, ...).
void check_keywords(double eps, double tolerance, std::optional<int> threads) {
  if (!std::isfinite(eps) || eps < 0) {
    throw py::value_error("rankme.score: eps must be a finite number >= 0, got " + std::to_string(eps));
  }
  if (!(tolerance >= 1e-15 && tolerance <= 1.0)) {
    throw py::value_error("rankme.score: tolerance must be in [1e-15, 1], got " + std::to_string(tolerance));
  }
  if (threads && *threads < 1) throw py::value_error("rankme.score: threads must be >= 1");
}

// What the keywords ask for, as the command line's options would (--center, --method, ...).
rankme::ScoreOptions options_of(bool center, const std::string& method, const std::string& precision,
                                const std::string& metrics, double eps, double tolerance, const std::string& solver,
                                std::optional<std::uint64_t> rows, std::optional<std::uint64_t> sample,
                                std::uint64_t seed, bool spectrum) {
  rankme::ScoreOptions options;
  options.center = center;
  options.method = rankme::method_from_name(method);
  options.precision = rankme::precision_from_name(precision);
  options.metrics = rankme::parse_metric_list(metrics);
  options.eps = eps;
  options.tolerance = tolerance;
  options.solver = rankme::solver_from_name(solver);
  options.keep_spectrum = spectrum;
  if (rows && sample) throw py::value_error("rankme.score: give rows or sample, not both");
  if ((rows && *rows == 0) || (sample && *sample == 0)) {
    throw py::value_error("rankme.score: rows and sample must be whole numbers >= 1");
  }
  if (rows) options.rows = rankme::RowSelection{rankme::RowSelection::Kind::first, *rows, seed};
  if (sample) options.rows = rankme::RowSelection{rankme::RowSelection::Kind::sample, *sample, seed};
  return options;
}

// Refuses what the command line would not score as a matrix, in its words (not_a_matrix_reason), and
// what only an array in memory can be: a view whose rows are not stored one after the other.
void check_matrix(const py::buffer_info& info, const rankme::TensorEntry& entry) {
  if (info.ndim != 2) {
    const std::string reason = info.ndim < 2 ? *rankme::not_a_matrix_reason(entry)
                                             : entry.dtype + " " + rankme::shape_text(entry.shape) + ": " +
                                                   std::to_string(info.ndim) +
                                                   "-D; rankme.score takes a 2-D rows x columns matrix (pool it "
                                                   "first, e.g. z.mean(axis=1), or reshape it)";
    throw py::value_error("rankme.score: " + reason);
  }
  if (auto reason = rankme::not_a_matrix_reason(entry)) throw py::value_error("rankme.score: " + *reason);
  // Rows one after the other, values within a row one after the other: what MemoryRowSource reads in place.
  // The stride of an axis of extent 1 means nothing (numpy may set any).
  const py::ssize_t item = info.itemsize;
  if ((info.shape[1] > 1 && info.strides[1] != item) || (info.shape[0] > 1 && info.strides[0] != item * info.shape[1])) {
    throw py::value_error("rankme.score: the array is not C-contiguous (a transposed or sliced view); pass "
                          "np.ascontiguousarray(z), which copies it");
  }
}

// Python's warnings for the thread plan's sentences (bare, as the command line prints them after "rankme:").
void warn_all(const std::vector<std::string>& sentences) {
  for (const std::string& sentence : sentences) {
    if (PyErr_WarnEx(PyExc_RuntimeWarning, ("rankme: " + sentence).c_str(), 1) != 0) throw py::error_already_set();
  }
}

py::object score_array(const py::buffer& data, const std::string& descr, const std::vector<std::uint64_t>& shape,
                       bool center, const std::string& method,
                       const std::string& precision, const std::string& metrics, double eps, double tolerance,
                       const std::string& solver, std::optional<int> threads, std::optional<std::uint64_t> rows,
                       std::optional<std::uint64_t> sample, std::uint64_t seed, bool spectrum, const std::string& name) {
  check_keywords(eps, tolerance, threads);
  const rankme::ScoreOptions asked =
      options_of(center, method, precision, metrics, eps, tolerance, solver, rows, sample, seed, spectrum);
  rankme::TensorEntry entry;
  entry.name = "/";
  entry.shape = shape;
  entry.type = stored_type_of(descr, entry.dtype);
  // Before the buffer is asked for: numpy exports none for an object array.
  if (!entry.type) throw py::type_error("rankme.score: " + *rankme::not_a_matrix_reason(entry));
  const py::buffer_info info = data.request();  // holds the array's memory until this returns
  check_matrix(info, entry);
  if (entry.type->bytes != info.itemsize) {
    throw std::logic_error("rankme.score: dtype '" + descr + "' does not match the buffer's item size");
  }

  ensure_mpi();
  const rankme::Communicator self = rankme::Communicator::self();
  // The command line's choices for one rank on this node: BLAS threads (threads=, OPENBLAS_NUM_THREADS, ...;
  // numpy shares the library when it is OpenBLAS, so they are its threads too) and --max-memory's default.
  const rankme::ThreadPlan plan = rankme::plan_blas_threads(self, threads);
  warn_all(plan.warnings);
  rankme::apply_blas_threads(plan.threads);
  rankme::ScoreOptions options = asked;
  options.max_memory = rankme::default_memory_limit_per_rank(self);

  rankme::DatasetTarget target;
  target.file = name;
  target.dataset = entry.name;
  target.format = "memory";
  target.shape = entry.shape;
  target.rows = entry.shape[0];
  target.cols = entry.shape[1];
  target.type = entry.type;
  target.dtype = entry.dtype;
  const auto* bytes = static_cast<const unsigned char*>(info.ptr);
  const std::size_t size = static_cast<std::size_t>(info.size) * static_cast<std::size_t>(info.itemsize);
  rankme::DatasetResult result;
  {
    // The array stays alive (info holds it); other Python threads may run meanwhile.
    const py::gil_scoped_release release;
    auto source = std::make_unique<rankme::MemoryRowSource>(*entry.type, target.rows, target.cols, bytes, size);
    result = rankme::score_row_source(self, target, std::move(source), options);
  }
  // The kernel this process runs: the module never re-executes the interpreter, so nobody but the library
  // or OPENBLAS_CORETYPE chose it (docs/python.md).
  result.blas = rankme::observe_blas_kernel().report;
  // The JSON line's text, read back by Python's json: the same keys and the same values (NaN and
  // infinities are null there as in the file), plus singular_values when spectrum=True.
  return py::module_::import("json").attr("loads")(rankme::json_text(rankme::result_to_json(result)));
}

}  // namespace

PYBIND11_MODULE(_rankme, module) {
  module.doc() = "rankme's core, in process: see rankme.score (docs/python.md)";
  module.def("score_array", &score_array, py::arg("data"), py::arg("descr"), py::arg("shape"),
             py::arg("center"), py::arg("method"),
             py::arg("precision"), py::arg("metrics"), py::arg("eps"), py::arg("tolerance"), py::arg("solver"),
             py::arg("threads"), py::arg("rows"), py::arg("sample"), py::arg("seed"), py::arg("spectrum"),
             py::arg("name"));
  // The command line's defaults, for rankme.score's signature (one source for both).
  module.attr("DEFAULT_EPS") = rankme::default_rankme_eps;
  module.attr("DEFAULT_TOLERANCE") = rankme::default_method_tolerance;
  module.def("finalize", &finalize, "Finalises MPI if rankme started it (registered with atexit)");
  module.def("metric_names", [] { return rankme::metric_names(); }, "Every metric --metrics knows, rankme first");
}
