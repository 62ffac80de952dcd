#pragma once
// The two routes from a dataset's blocks (score_plan.hpp) to its singular values: the Gram route (Z^T Z
// summed over ranks, then its eigenvalues; in float32 or double block products, with --precision auto's
// fallback) and the TSQR route (the R factor of a tall-skinny QR, then its singular values).
//
// With --lidar (and without --center), the Gram route makes no products of its own: one pass of double
// blocks feeds LiDAR, whose within-object scatter and object means give the uncentred Gram matrix exactly
// (LidarPass::uncentred_gram); the spectrum is then double precision, whatever --precision says.
#include <optional>
#include <string>
#include <vector>

#include "rankme/pipeline/block_pass.hpp"
#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/score_plan.hpp"

namespace rankme {

struct RouteSpectrum {
  ReadOutcome read = ReadOutcome::complete;  // the spectrum is there only when complete
  std::vector<double> singular_values;  // descending, min(N, K) of them, of the data times 2^-scale_exponent
  int scale_exponent = 0;               // huge or tiny data is scaled by a power of two
  std::string solver;                   // which eigensolver ran ("tsqr" on that route)
  bool mixed = false;                   // float32 block products gave the spectrum (or the last pass)
  SpectrumMethod method = SpectrumMethod::gram;  // the route that gave it: gram or tsqr
  // The Gram route's predicted relative RankMe error (gram_route_error.hpp; with float32 products that
  // --precision auto kept, the larger of that and precision_criterion.hpp's); nothing on the TSQR route.
  std::optional<double> predicted_error;
};

// Collective, like the block pass. Throws CollectiveError on every rank for a failure on any. `result`
// gets what --precision auto decided as soon as it decides it (precision_fallback, mixed_error_estimate),
// so that a later failure still reports it.
RouteSpectrum score_on_gram_route(const ScorePlan& plan, DatasetResult& result);

// Collective, like the block pass; double block products only.
RouteSpectrum score_on_tsqr_route(const ScorePlan& plan);

}  // namespace rankme
