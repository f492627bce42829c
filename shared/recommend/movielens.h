// MovieLens ratings files (u.data layout: user \t item \t rating \t unix time)
// read into a Dataset for the rankers, and the standard evaluation of a split
// such as ua.base / ua.test: every test rating is relevant, items the user
// rated in training are never recommended. The data stays where it is; this
// only reads it (its licence forbids copying it into the repository).
//
//   fk::recommend::MovieLensSplit s;
//   fk::Status st = fk::recommend::LoadMovieLensSplit(dir + "/ua.base", dir + "/ua.test", &s);
#pragma once
#include <string>
#include <vector>

#include "recommend/data.h"
#include "recommend/metrics.h"

namespace fk::recommend {

struct MovieLensSplit {
  Dataset ds;                      // users and items are the ids seen in either file
  std::vector<Interaction> train;  // every training rating is an interaction
  std::vector<TestQuery> test;     // one query per test user, relevant = their test items
  size_t bad_lines = 0;
  std::string first_error;         // "file:line: reason" of the first bad line
};

Status LoadMovieLensSplit(const std::string& train_path, const std::string& test_path, MovieLensSplit* out);

}  // namespace fk::recommend
