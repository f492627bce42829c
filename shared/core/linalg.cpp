#include "core/linalg.h"

#include <cmath>
#include <vector>

namespace fk {

double Dot(const double* a, const double* b, size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (; k < n; k++) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

bool CholeskyFactor(double* a, size_t n) {
  for (size_t j = 0; j < n; j++) {
    const double d = a[j * n + j] - Dot(&a[j * n], &a[j * n], j);
    if (!(d > 0)) return false;  // also NaN
    a[j * n + j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; i++) a[i * n + j] = (a[i * n + j] - Dot(&a[i * n], &a[j * n], j)) / a[j * n + j];
  }
  return true;
}

void CholeskySolve(const double* l, size_t n, double* b) {
  for (size_t i = 0; i < n; i++) b[i] = (b[i] - Dot(&l[i * n], b, i)) / l[i * n + i];  // L z = b
  for (size_t i = n; i-- > 0;) {  // L' x = z: column i of L, below the diagonal
    double v = b[i];
    for (size_t j = i + 1; j < n; j++) v -= l[j * n + i] * b[j];
    b[i] = v / l[i * n + i];
  }
}

bool InvertSpd(double* a, size_t n) {
  std::vector<double> l(a, a + n * n);
  if (!CholeskyFactor(l.data(), n)) return false;
  // mt = (L^-1)' (upper triangular): row j holds column j of L^-1.
  std::vector<double> mt(n * n, 0.0);
  for (size_t j = 0; j < n; j++) {
    mt[j * n + j] = 1.0 / l[j * n + j];
    for (size_t i = j + 1; i < n; i++) mt[j * n + i] = -Dot(&l[i * n + j], &mt[j * n + j], i - j) / l[i * n + i];
  }
  // A^-1 = (L^-1)' L^-1 = mt mt'.
  for (size_t p = 0; p < n; p++)
    for (size_t q = p; q < n; q++) a[p * n + q] = a[q * n + p] = Dot(&mt[p * n + q], &mt[q * n + q], n - q);
  return true;
}

}  // namespace fk
