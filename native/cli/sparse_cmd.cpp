// TEMPORARY until the sparse engine lands (issue #3); replaced in the same series of commits.
#include "cli.h"
namespace fk::cli {
int SparseCommand(const std::vector<std::string>&) { throw UsageError{"sparse: not built yet"}; }
}  // namespace fk::cli
