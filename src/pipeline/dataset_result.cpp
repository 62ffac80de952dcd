#include "rankme/pipeline/dataset_result.hpp"

#include <stdexcept>

namespace rankme {

const char* status_name(ResultStatus status) {
  switch (status) {
    case ResultStatus::ok: return "ok";
    case ResultStatus::nonfinite: return "nonfinite";
    case ResultStatus::error: return "error";
    case ResultStatus::interrupted: return "interrupted";
  }
  return "error";
}

ResultStatus status_from_name(const std::string& name) {
  for (const ResultStatus status :
       {ResultStatus::ok, ResultStatus::nonfinite, ResultStatus::error, ResultStatus::interrupted}) {
    if (name == status_name(status)) return status;
  }
  throw std::runtime_error("unknown status '" + name + "'");
}

}  // namespace rankme
