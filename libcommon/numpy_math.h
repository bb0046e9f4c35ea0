// numpy's summation order, reproduced so metrics match numpy/pycocotools/scikit-learn to the bit.
#pragma once

#include <cstddef>
#include <vector>

namespace imgpipe {

// numpy's pairwise summation of one inner-loop call (pairwise_sum in loops_utils.h.src): blocks
// of up to 128 values summed with 8 accumulators, larger ranges split in halves.
double NumpyPairwiseSum(const double* a, size_t n);

// np.sum / np.add.reduce of a double array: the iterator hands the inner loop at most 8192
// elements (its buffer size) at a time, so the sum is pairwise within each chunk and sequential
// across chunks, starting from 0.0. Same bits as numpy (checked against pycocotools' and
// scikit-learn's numbers in the conformance tests).
double NumpySum(const double* a, size_t n);
// np.mean: NumpySum / n; NaN for an empty array.
double NumpyMean(const std::vector<double>& a);

// np.linspace(start, stop, num): start + i * ((stop - start) / (num - 1)), the last value exactly
// `stop` (so linspace(.5, .95, 10)[8] is 0.8999999999999999).
std::vector<double> NumpyLinspace(double start, double stop, size_t num);

}  // namespace imgpipe
