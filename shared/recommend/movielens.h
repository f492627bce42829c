// MovieLens ratings files (u.data layout: user \t item \t rating \t unix time)
// read into a Dataset for the rankers, and the standard evaluation of a split
// such as ua.base / ua.test: every test rating is relevant, items the user
// rated in training are never recommended. The data stays where it is; this
// only reads it (its licence forbids copying it into the repository).
//
//   fk::recommend::MovieLensSplit s;
//   fk::Status st = fk::recommend::LoadMovieLensSplit(dir + "/ua.base", dir + "/ua.test", &s);
//
// Hyperparameters are chosen on a validation split carved from the training
// ratings alone (never the test file): CarveValidation holds out some of each
// user's training ratings, ChooseEaseOnValidation fits EASE^R on the rest for
// every (lambda, popularity beta) of a grid and keeps the best P@k; the caller
// then refits on all training ratings with that setting and scores the test
// queries once with ScoreTopK.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "recommend/data.h"
#include "recommend/metrics.h"
#include "recommend/model.h"

namespace fk::recommend {

struct MovieLensSplit {
  Dataset ds;                      // users and items are the ids seen in either file
  std::vector<Interaction> train;  // every training rating is an interaction
  std::vector<TestQuery> test;     // one query per test user, relevant = their test items
  size_t bad_lines = 0;
  std::string first_error;         // "file:line: reason" of the first bad line
};

Status LoadMovieLensSplit(const std::string& train_path, const std::string& test_path, MovieLensSplit* out);

// Precision and NDCG at k of r's top k (items the user had in training left
// out) over the queries; every relevant item counts. lists, when given,
// receives each query's ranked items.
struct TopKScore {
  double precision = 0, ndcg = 0;
  size_t queries = 0;
};
TopKScore ScoreTopK(const Ranker& r, const std::vector<TestQuery>& queries, size_t k,
                    std::vector<std::vector<uint32_t>>* lists = nullptr);

// Per user, min(per_user, half of their ratings) of their training ratings,
// drawn at random (core Rng, `seed`), become validation queries; the rest stay
// in `fit`. Users are visited in index order and each user's ratings in (item,
// time) order, so the split depends on the training data and the seed only
// (the same natively and in wasm).
void CarveValidation(const Dataset& ds, const std::vector<Interaction>& train, size_t per_user, uint64_t seed,
                     std::vector<Interaction>* fit, std::vector<TestQuery>* val);

struct ValidationOptions {
  size_t per_user = 10;  // as ua.test: 10 ratings per user
  uint64_t seed = 1;
  size_t k = 10;
  std::vector<double> lambdas = {100, 200, 300, 500, 800, 1200, 2000};
  std::vector<double> pop_betas = {0, 0.05, 0.1, 0.2, 0.3};
};
struct ValidationRow {
  double lambda = 0, pop_beta = 0, precision = 0, ndcg = 0;
};
struct EaseChoice {
  double lambda = 300, pop_beta = 0;  // the chosen setting
  double precision = 0, ndcg = 0;     // its validation scores
  size_t val_users = 0, val_ratings = 0, fit_ratings = 0;
  std::vector<ValidationRow> grid;    // every setting tried, lambda-major
};
// Only ds and train are read (the test queries are not even passed): the
// highest validation P@k wins, ties to the earlier grid row (smaller lambda,
// then smaller beta). progress(done, total) once per lambda.
EaseChoice ChooseEaseOnValidation(const Dataset& ds, const std::vector<Interaction>& train,
                                  const ValidationOptions& options,
                                  const std::function<void(size_t, size_t)>& progress = {});

}  // namespace fk::recommend
