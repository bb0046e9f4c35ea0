// numpy's summation order (see numpy_math.h for why it matters).
#include "libcommon/numpy_math.h"

#include <algorithm>
#include <cmath>

namespace imgpipe {

double NumpyPairwiseSum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return NumpyPairwiseSum(a, n2) + NumpyPairwiseSum(a + n2, n - n2);
}

double NumpySum(const double* a, size_t n) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i += 8192) sum += NumpyPairwiseSum(a + i, std::min<size_t>(8192, n - i));
  return sum;
}

double NumpyMean(const std::vector<double>& a) {
  if (a.empty()) return std::nan("");
  return NumpySum(a.data(), a.size()) / double(a.size());
}

std::vector<double> NumpyLinspace(double start, double stop, size_t num) {
  std::vector<double> y(num);
  if (num == 0) return y;
  if (num == 1) {
    y[0] = start;
    return y;
  }
  double step = (stop - start) / double(num - 1);
  for (size_t i = 0; i < num; ++i) y[i] = double(i) * step + start;
  y[num - 1] = stop;
  return y;
}

}  // namespace imgpipe
