// Small dense linear algebra, written once: the symmetric positive definite
// systems of EASE (the item-item Gram inverse), the forecast's regression on
// related series (normal equations) and the label detector's box regression
// (kernel ridge). Matrices are row-major n x n doubles.
//   std::vector<double> a = {4, 2, 2, 3};          // SPD
//   fk::CholeskyFactor(a.data(), 2);               // lower triangle now holds L, A = L L'
//   std::vector<double> b = {2, 1};
//   fk::CholeskySolve(a.data(), 2, b.data());       // b = A^-1 b = {0.5, 0}
#pragma once
#include <cstddef>

namespace fk {

// Sum of a[k] * b[k] with four accumulators (vectorises; the summation order
// is fixed, so results are reproducible).
double Dot(const double* a, const double* b, size_t n);

// Cholesky factor in place: the lower triangle (diagonal included) becomes L
// with A = L L'; the strict upper triangle is left as it was. False, with a
// partly overwritten a, if A is not numerically positive definite.
bool CholeskyFactor(double* a, size_t n);

// Solves L L' x = b in place (l from CholeskyFactor).
void CholeskySolve(const double* l, size_t n, double* b);

// The inverse of an SPD matrix in place (both triangles), through L^-1.
// False if A is not positive definite; a is then unchanged.
bool InvertSpd(double* a, size_t n);

}  // namespace fk
