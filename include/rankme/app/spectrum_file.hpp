#pragma once
// --spectrum FILE.h5: the singular values of every scored dataset, written by rank 0 (serial HDF5, default
// driver) into one HDF5 file whose layout mirrors the inputs:
//   /<escaped input file name as given><dataset path>   e.g. /sweep.h5/runs/lr=0.1/emb
// a 1-D float64 dataset of the singular values in descending order, with attributes: rankme and every
// metric of the result (float64; NaN and infinity as they are), rows, cols (uint64), method ("gram"),
// eps (float64), centered (0/1, int), status (string). The file name is one HDF5 link name: '%' becomes
// "%25" and '/' becomes "%2F" (see spectrum_group_name), so "runs/a.h5" is the group "/runs%2Fa.h5".
#include <string>
#include <vector>

#include "rankme/io/hdf5_handle.hpp"
#include "rankme/pipeline/dataset_result.hpp"

namespace rankme {

// The input file name as one HDF5 link name: '%' -> "%25", '/' -> "%2F" (nothing else changes).
std::string spectrum_group_name(const std::string& file);

// Where a result's spectrum goes: "/" + spectrum_group_name(file) + dataset; for the one array of a bare
// .npy (dataset "/"), "/" + spectrum_group_name(file).
std::string spectrum_path(const std::string& file, const std::string& dataset);

class SpectrumFile {
 public:
  // Opens `path` read-write if it exists (appending to earlier runs), creates it otherwise. Throws
  // std::runtime_error naming the file.
  static SpectrumFile open(const std::string& path);

  // Writes (or replaces: a resumed re-score of the same dataset) the spectrum of `result` and flushes the
  // file. Throws std::runtime_error naming the file and the dataset.
  void write(const DatasetResult& result, const std::vector<double>& singular_values, double eps, bool centered);

  const std::string& path() const { return path_; }

 private:
  SpectrumFile(std::string path, Hdf5Handle file) : path_(std::move(path)), file_(std::move(file)) {}
  std::string path_;
  Hdf5Handle file_;
};

}  // namespace rankme
